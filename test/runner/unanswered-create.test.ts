/**
 * A create whose answer never came may have made a task that is running now.
 * The chaos test (npm run chaos, with an API that honours Idempotency-Key)
 * saw the runner free that job's slot at once, so the API ran one task more
 * than --concurrency until the resend found it again.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { makeBatch } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "./harness.js";

let harness: Harness | undefined;
afterEach(async () => harness?.close());

describe("a create with no answer", () => {
  it("keeps its slot until it is resent, so the API never runs more than --concurrency", async () => {
    harness = await startHarness({ honourIdempotencyKey: true, genTimeMs: 400, jitterMs: 0, resetAfterRate: 1 });
    const h = harness;
    const emitter = new RunnerEmitter();
    // Only the first create loses its answer (after the task was made).
    emitter.on("job:state", (e) => {
      if (e.to === "unknown") h.sim.setFaults({ resetAfterRate: 0 });
    });
    const outcome = await h.run(makeBatch(3), { concurrency: 1 }, { emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(h.sim.ledger.faults.filter((f) => f.kind === "reset_after")).toHaveLength(1);
    // The resend found the first task again instead of making a second.
    expect(h.sim.ledger.creates.filter((c) => c.replayed)).toHaveLength(1);
    expect(h.sim.ledger.maxInFlight[h.sim.apiKey]).toBe(1);
  });

  it("does not hold a slot for a job left unknown (--no-resubmit-unknown)", async () => {
    harness = await startHarness({ genTimeMs: 100, jitterMs: 0, resetAfterRate: 1 });
    const h = harness;
    const emitter = new RunnerEmitter();
    emitter.on("job:state", (e) => {
      if (e.to === "unknown") h.sim.setFaults({ resetAfterRate: 0 });
    });
    const outcome = await h.run(makeBatch(3), { concurrency: 1, resubmitUnknown: false }, { emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["unknown", "done", "done"]);
    expect(h.sim.ledger.creates.filter((c) => c.taskId !== null)).toHaveLength(3);
  });

  // The chaos test found it (seed 427743898, Idempotency-Key honoured): the resend of such a job got a 503,
  // which moved it to queued and freed its slot while the first task still ran, and the state forgot
  // that a task may exist.
  it("stays unknown, holding its slot, when its resend is refused with a 429 or 5xx", async () => {
    harness = await startHarness({ honourIdempotencyKey: true, genTimeMs: 400, jitterMs: 0, resetAfterRate: 1 });
    const h = harness;
    const emitter = new RunnerEmitter();
    const answered: string[] = [];
    emitter.on("job:state", (e) => {
      if (e.from !== "submitting" || e.to === "generating") return;
      answered.push(`${e.to} ${e.reason ?? ""}`);
      // First create: its answer is lost. Its resend: a 503. Then the API behaves.
      h.sim.setFaults(answered.length === 1 ? { resetAfterRate: 0, rate5xx: 1, faultRoutes: ["create"] } : { rate5xx: 0 });
    });
    const outcome = await h.run(makeBatch(3), { concurrency: 1 }, { emitter });

    expect(answered).toEqual(["unknown create-ambiguous", "unknown create-transient"]);
    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(h.sim.ledger.creates.filter((c) => c.replayed)).toHaveLength(1);
    expect(h.sim.ledger.maxInFlight[h.sim.apiKey]).toBe(1);
  });
});
