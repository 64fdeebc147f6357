import { describe, expect, it } from "vitest";
import { MAX_MANIFEST_BYTES } from "../../src/manifest/source.js";
import { errorsOf, withShots, yaml } from "./helpers.js";

describe("reading the YAML", () => {
  it("places a YAML syntax error at its line and column", () => {
    const text = yaml`
      version: 1
      name: test
      shots:
        - id: s01
          prompt: "A lighthouse" at dusk
          takes: 2
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:5:28: YAML syntax: Unexpected scalar at node end"]);
  });

  it("refuses a duplicate key", () => {
    const text = yaml`
      version: 1
      name: test
      name: other
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:3:1: YAML syntax: Map keys must be unique"]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      levels.push(
        `${"abcdefgh"[i]}: &${"abcdefgh"[i]} [${Array(10)
          .fill(`*${"abcdefgh"[i - 1]}`)
          .join(", ")}]`,
      );
    const text = `version: 1\nname: bomb\n${levels.join("\n")}\nshots: []\n`;
    expect(errorsOf(text)).toEqual(["shots.yaml: YAML aliases expand too much (limit 100); refusing it as a possible alias bomb"]);
  });

  it("accepts the few anchors an honest manifest uses", () => {
    const text = withShots(`
      - { id: s01, prompt: &p "A lighthouse at dusk" }
      - { id: s02, prompt: *p, duration: 8, takes: 2 }
    `);
    expect(errorsOf(text)).toEqual([]);
  });

  it("refuses a document over the size limit without parsing it", () => {
    const text = `version: 1\nname: huge\n# ${"x".repeat(MAX_MANIFEST_BYTES)}\n`;
    expect(errorsOf(text)).toEqual([`shots.yaml: manifest is ${MAX_MANIFEST_BYTES + 25} bytes; the limit is ${MAX_MANIFEST_BYTES} bytes (48.0 MB)`]);
  });

  it("says an enormous prompt is too long without echoing it", () => {
    const text = withShots(`- id: s01\n  prompt: "${"a".repeat(4_000_000)}"\n`);
    const errors = errorsOf(text);
    expect(errors).toEqual([
      "shots.yaml:6:13 shot s01: prompt is too long for seedance-1.5-pro: about 2000000 tokens (estimated as UTF-8 bytes / 2), at most 2000",
    ]);
  });

  it("does not echo an enormous wrong value either", () => {
    const text = withShots(`- id: s01\n  prompt: x\n  quality: "${"q".repeat(100_000)}"\n`);
    const [error] = errorsOf(text);
    expect(error?.length).toBeLessThan(300);
    expect(error).toContain("(100002 characters)");
  });

  it("says an empty file is empty", () => {
    expect(errorsOf("# nothing yet\n")).toEqual(["shots.yaml: manifest is empty"]);
  });

  it("wants a map at the top", () => {
    expect(errorsOf("- just\n- a list\n")).toEqual(['shots.yaml:1:1: manifest must be a YAML map with version, name and shots (got ["just","a list"])']);
  });
});

describe("all problems at once", () => {
  it("reports every problem of every shot in source order, in one pass", () => {
    const text = withShots(`
      - id: s01
        promt: "typo"
      - id: s02
        prompt: "Too long a take"
        duration: 15
      - id: s03
        prompt: "A local image"
        image: ./cat.png
        takes: 50
    `);
    expect(errorsOf(text)).toEqual([
      "shots.yaml:5:5 shot s01: prompt is required",
      'shots.yaml:6:5 shot s01: unknown key "promt"; did you mean "prompt"?',
      "shots.yaml:9:15 shot s02: duration must be 4..12 for seedance-1.5-pro (got 15)",
      "shots.yaml:13:12 shot s03: takes must be an integer 1..20 (got 50)",
    ]);
  });

  it("reports a bad default once, not once per shot", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      defaults:
        quality: 1080p
      shots:
        - { id: s01, prompt: "one" }
        - { id: s02, prompt: "two" }
    `;
    expect(errorsOf(text)).toEqual(['shots.yaml:5:12: quality must be one of 480p, 720p for seedance-1.5-pro (got "1080p")']);
  });

  it("checks every profile, even when it is not chosen", () => {
    const text = yaml`
      version: 1
      name: test
      model: seedance-1.5-pro
      profiles:
        long: { duration: 20 }
      shots:
        - { id: s01, prompt: "one" }
    `;
    expect(errorsOf(text)).toEqual(["shots.yaml:5:21: duration must be 4..12 for seedance-1.5-pro (got 20)"]);
  });
});
