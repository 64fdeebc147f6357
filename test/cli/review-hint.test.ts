import { describe, expect, it } from "vitest";
import { reviewHint } from "../../src/cli/commands/review-hint.js";

describe("the line a run ends with", () => {
  it("names the gallery of the manifest just rendered", () => {
    expect(reviewHint("manifests/demo.yaml", { sim: true })).toBe("review the takes: shotlist review manifests/demo.yaml --open");
  });

  it("repeats where the run found its batch, quoting what a shell would split", () => {
    expect(reviewHint("my shots.yaml", { profile: "draft", out: "/srv/it's here", concurrency: "8" })).toBe(
      `review the takes: shotlist review 'my shots.yaml' --profile draft --out '/srv/it'\\''s here' --open`,
    );
  });
});
