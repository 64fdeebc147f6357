import { describe, expect, it } from "vitest";
import { errorsOf, problemsOf, withShots, yaml } from "./helpers.js";

describe("manifest structure", () => {
  it("names an unknown shot key and suggests the key that was meant", () => {
    const text = withShots(`
      - id: s01
        promt: "A lighthouse"
    `);
    expect(errorsOf(text)).toEqual(["shots.yaml:5:5 shot s01: prompt is required", 'shots.yaml:6:5 shot s01: unknown key "promt"; did you mean "prompt"?']);
  });

  it("lists the allowed keys when an unknown key is not a near miss", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      soundtrack: jazz
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual([
      'shots.yaml:4:1: unknown key "soundtrack"; expected one of: version, name, model, concurrency, deliver, budget, defaults, profiles, shots',
    ]);
  });

  it("suggests settings keys inside defaults and profiles", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      defaults:
        aspect-ratio: "9:16"
      profiles:
        draft: { qualty: 480p }
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual([
      'shots.yaml:5:3: unknown key "aspect-ratio"; did you mean "aspect_ratio"?',
      'shots.yaml:7:12: unknown key "qualty"; did you mean "quality"?',
    ]);
  });

  it("refuses a version other than 1", () => {
    const text = yaml`
      version: 2
      name: test
      model: seedance-1.5-pro
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:1:10: version must be 1 (the only manifest version so far) (got 2)"]);
  });

  it("refuses a batch name that is not safe as a folder name", () => {
    const text = yaml`
      version: 1
      name: ../escape
      model: seedance-1.5-pro
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual(['shots.yaml:2:7: name must hold only A-Z a-z 0-9 . _ - : it names the output folder (got "../escape")']);
  });

  it("requires at least one shot", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      shots: []
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:4:8: shots must list at least one shot (got [])"]);
  });

  it("refuses a shot id that cannot name a folder", () => {
    const text = withShots(`
      - id: "s01/../x"
        prompt: "A lighthouse"
    `);
    expect(errorsOf(text)).toEqual([
      'shots.yaml:5:9 shot s01/../x: id must start with a letter or digit and hold only A-Z a-z 0-9 . _ - (at most 64 characters): it names a folder (got "s01/../x")',
    ]);
  });

  it("refuses a duplicate shot id, pointing at the first use", () => {
    const text = withShots(`
      - id: s01
        prompt: "A lighthouse"
      - id: s01
        prompt: "A harbour"
    `);
    expect(errorsOf(text)).toEqual(["shots.yaml:7:9 shot s01: duplicate shot id (first used on line 5); ids name output folders and must be unique"]);
  });

  it("refuses two shots that send the same request, even when only a profile makes them alike", () => {
    const text = withShots(
      `
      - { id: s01, prompt: "A lighthouse", duration: 6 }
      - { id: s02, prompt: "A harbour" }
      - { id: s03, prompt: "A lighthouse" }
      - { id: s04, prompt: "A harbour" }
    `,
      "model: seedance-1.5-pro\nprofiles:\n  draft: { duration: 4 }",
    );
    const same = "so the two would be one job: give one shot `takes: 2` for another render, or make their prompts or settings differ";
    expect(errorsOf(text)).toEqual([
      `shots.yaml:9:24 shot s03: sends exactly the same request as shot s01 (line 7) under profile draft, ${same}`,
      `shots.yaml:10:24 shot s04: sends exactly the same request as shot s02 (line 8), ${same}`,
      `shots.yaml:10:24 shot s04: sends exactly the same request as shot s02 (line 8) under profile draft, ${same}`,
    ]);
  });

  it("bounds takes to 1..20", () => {
    const text = withShots(`
      - id: s01
        prompt: "A lighthouse"
        takes: 21
    `);
    expect(errorsOf(text)).toEqual(["shots.yaml:7:12 shot s01: takes must be an integer 1..20 (got 21)"]);
  });

  it("bounds concurrency to 1..10000, the range of run --concurrency", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      concurrency: 0
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:4:14: concurrency must be an integer 1..10000 (got 0)"]);
  });

  it("says which type a setting needs", () => {
    const text = withShots(`
      - id: s01
        prompt: "A lighthouse"
        duration: "5"
        generate_audio: "no"
    `);
    expect(errorsOf(text)).toEqual([
      'shots.yaml:7:15 shot s01: duration must be a positive whole number of seconds (got "5")',
      'shots.yaml:8:21 shot s01: generate_audio must be true or false (got "no")',
    ]);
  });

  it("refuses a duration of zero even for a model it does not know", () => {
    const text = withShots('- { id: s01, prompt: "A lighthouse", duration: 0 }', "model: my-model");
    expect(errorsOf(text)).toEqual(["shots.yaml:5:50 shot s01: duration must be a positive whole number of seconds (got 0)"]);
  });

  it("reads unquoted ratios and qualities as text", () => {
    const text = withShots('- { id: s01, prompt: "A lighthouse", aspect_ratio: 1:1, quality: 480p }');
    expect(errorsOf(text)).toEqual([]);
  });

  it("needs a model, at the top or on the shot", () => {
    const text = yaml`
      version: 1
      name: test
      shots:
        - id: s01
          prompt: "A lighthouse"
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:4:5 shot s01: no model: set `model` at the top of the manifest or on the shot"]);
  });

  it("refuses an empty prompt", () => {
    const text = withShots(`
      - id: s01
        prompt: "   "
    `);
    expect(errorsOf(text)).toEqual(["shots.yaml:6:13 shot s01: prompt is empty"]);
  });

  it("warns, without failing, about a model it does not know", () => {
    const text = withShots(
      `
      - id: s01
        prompt: "A lighthouse"
        duration: 30
    `,
      "model: seedance-3.0-dreams",
    );
    expect(problemsOf(text)).toEqual([
      'shots.yaml:3:8 warning: unknown model "seedance-3.0-dreams": only the common rules are checked, the API will judge the rest',
    ]);
  });

  it("suggests the ids a shortened model name begins, for the shot's mode, at the shot's model line", () => {
    const text = withShots(
      `
      - id: s01
        model: seedance-2.0
        prompt: "A lighthouse"
    `,
      "model: seedance-1.5-pro",
    );
    expect(problemsOf(text)).toEqual([
      'shots.yaml:6:12 shot s01 warning: unknown model "seedance-2.0" (did you mean "seedance-2.0-text-to-video", "seedance-2.0-fast-text-to-video" or "seedance-2.0-mini-text-to-video"?): only the common rules are checked, the API will judge the rest',
    ]);
  });

  it("suggests the one id a mistyped model name is a slip of", () => {
    const text = withShots(
      `
      - id: s01
        prompt: "A lighthouse"
    `,
      "model: seedance-1.5-por",
    );
    expect(problemsOf(text)).toEqual([
      'shots.yaml:3:8 warning: unknown model "seedance-1.5-por" (did you mean "seedance-1.5-pro"?): only the common rules are checked, the API will judge the rest',
    ]);
  });

  it("still applies the common rules to an unknown model", () => {
    const text = yaml`
      version: 1
      name: test
      shots:
        - id: s01
          model: my-model
          prompt: "A lighthouse"
          image: ~/cat.png
    `;
    expect(errorsOf(text)).toEqual([
      'shots.yaml:7:12 shot s01: image "~/cat.png" starts with ~, which is not expanded: write the path from the manifest\'s folder, or an absolute one',
    ]);
  });
});

describe("names the batch folder uses itself", () => {
  it("refuses a profile named like a shot, since both name a folder of the batch", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      profiles:
        s01: { duration: 4 }
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual([
      'shots.yaml:5:8: profile "s01" has the name of a shot: both name a folder of the batch, so their clips would collide; rename one of them',
    ]);
  });

  it.each([".shotlist", "Report.JSON"])("refuses a profile named %s", (name) => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      profiles:
        "${name}": { duration: 4 }
      shots:
        - { id: s01, prompt: "A lighthouse" }
    `;
    expect(errorsOf(text)).toEqual([`shots.yaml:5:3: profiles name "${name}" must not be ".shotlist" or "report.json": the batch folder holds those itself`]);
  });

  it("refuses a shot id of report.json", () => {
    expect(errorsOf(withShots(`- { id: report.json, prompt: "A lighthouse" }`))).toEqual([
      'shots.yaml:5:11 shot report.json: id must not be ".shotlist" or "report.json": the batch folder holds those itself (got "report.json")',
    ]);
  });
});
