import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";
import { manifestDir } from "./manifest-files.js";

const files = manifestDir();
beforeAll(ensureBuilt, 120_000);
afterAll(files.remove);

describe("shotlist validate", () => {
  it("prints a one-line summary and exits 0 for a valid manifest", async () => {
    const result = await runCli(["validate", "manifests/storyboard.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      "ok rainy-detective: 5 shots, 7 jobs (takes included), 55 s of video, 6 with audio (49 s); text-to-video 2, image-to-video 1, first-last-frame 2, reference 2\n",
    );
    expect(result.stderr).toBe("");
  });

  it("summarises the batch under the chosen profile", async () => {
    const result = await runCli(["validate", "manifests/storyboard.yaml", "--profile", "draft"]);
    expect(result.stdout).toContain("ok rainy-detective (profile draft): 5 shots, 7 jobs (takes included), 28 s of video, 0 with audio (0 s)");
  });

  it("prints every error with file, line, column and shot, and exits 2", async () => {
    const path = files.write(
      "bad.yaml",
      [
        "version: 1",
        "name: bad",
        "model: seedance-1.5-pro",
        "shots:",
        "  - id: s01",
        '    promt: "typo"',
        "  - id: s02",
        '    prompt: "long"',
        "    duration: 15",
        "",
      ].join("\n"),
    );
    const result = await runCli(["validate", path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        `shotlist: ${path}:5:5 shot s01: prompt is required`,
        `${path}:6:5 shot s01: unknown key "promt"; did you mean "prompt"?`,
        `${path}:9:15 shot s02: duration must be 4..12 for seedance-1.5-pro (got 15)`,
        "",
      ].join("\n"),
    );
  });

  it("prints warnings on stderr and still exits 0", async () => {
    const path = files.write("warn.yaml", 'version: 1\nname: w\nmodel: veo-9\nshots:\n  - { id: s01, prompt: "A lighthouse" }\n');
    const result = await runCli(["validate", path]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`${path}:3:8 warning: unknown model "veo-9": only the common rules are checked, the API will judge the rest\n`);
  });

  it("refuses an unknown profile with the available ones, exit 2", async () => {
    const result = await runCli(["validate", "manifests/storyboard.yaml", "--profile", "final"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('shotlist: unknown profile "final"; available: draft, vertical\n');
  });

  it("says when the manifest file is missing, exit 2", async () => {
    const result = await runCli(["validate", "nope.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("shotlist: nope.yaml: no such file\n");
  });

  // An escape sequence could clear the screen or forge a line; a lone CR rewrites the line it is on.
  it("shows the control characters of a syntax error's token as U+FFFD", async () => {
    const path = files.write("escape-token.yaml", "version: 1\nname: esc\nshots:\n  - id: s01\n    prompt: |\x1b[2Jz\rq\n      A lighthouse\n");
    const result = await runCli(["validate", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      [
        `shotlist: ${path}:5:14: YAML syntax: Block scalar header includes extra characters: |\ufffd[2Jz`,
        `${path}:5:19: YAML syntax: Not a YAML token: \ufffdq`,
        "",
      ].join("\n"),
    );
  });

  it("shows the control characters of a shot id as U+FFFD", async () => {
    const path = files.write("escape-id.yaml", 'version: 1\nname: esc\nmodel: seedance-1.5-pro\nshots:\n  - id: "s\\e[2J01\\rx"\n    prompt: A lighthouse\n');
    const result = await runCli(["validate", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shotlist: .*:5:9 shot s\ufffd\[2J01\ufffdx: id must start with a letter or digit/);
    expect(result.stderr).not.toMatch(/[\x1b\r]/);
  });
});
