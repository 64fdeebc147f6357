import { describe, expect, it } from "vitest";
import { canTransition, JOB_STATES } from "../../src/runner/states.js";

describe("job state transitions", () => {
  it("follows the happy path from queued to done", () => {
    const path = ["queued", "submitting", "generating", "completed", "done"] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it("never lets a job jump from queued straight to generating", () => {
    expect(canTransition("queued", "generating")).toBe(false);
  });

  it("never resubmits a generating job without passing through queued", () => {
    expect(canTransition("generating", "submitting")).toBe(false);
  });

  it("lets no state move to itself", () => {
    for (const s of JOB_STATES) expect(canTransition(s, s)).toBe(false);
  });
});
