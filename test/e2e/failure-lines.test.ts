/**
 * A job that fails says why on the terminal the moment it fails: the shot,
 * the API's own message and what would send it again, not only in report.json.
 */
import { describe, expect, it } from "vitest";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

describe("a shot the API refuses", () => {
  it("gets a line with its id and the API's message before the run ends", async () => {
    const ws = await useWorkspace({}, manifestText(3, { 1: "[policy] a forbidden scene", 2: "[fail:invalid_parameters] a lighthouse" }));

    const run = await ws.run().result;

    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.split("\n");
    const policy = lines.findIndex((l) =>
      /^\S+ s02#1 failed: Content policy violation\. Your request was blocked by safety filters\. \(task \S+; content_policy_violation; reword the prompt or change the input; not resent as is\)$/.test(
        l,
      ),
    );
    const invalid = lines.findIndex((l) =>
      /^\S+ s03#1 failed: Invalid parameters for this model\. \(task \S+; invalid_parameters; reword the prompt or change the input; not resent as is\)$/.test(
        l,
      ),
    );
    const end = lines.findIndex((l) => / run end: 3 jobs$/.test(l));
    expect(
      [policy, invalid].every((i) => i >= 0 && i < end),
      run.stderr,
    ).toBe(true);
  });
});
