import { describe, expect, it } from "vitest";
import { summaryLine } from "../../src/manifest/summary.js";
import { batchOf, withShots } from "./helpers.js";

describe("the summary line of a valid manifest", () => {
  it("counts one shot and one job in the singular", () => {
    const batch = batchOf(
      withShots(`
      - id: s01
        prompt: "A lighthouse"
        duration: 5
    `),
    );
    expect(summaryLine(batch)).toMatch(/^test: 1 shot, 1 job \(takes included\), 5 s of video/);
  });
});
