import { afterEach, describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { ledgerReservations } from "../helpers/ledger-credits.js";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "./harness.js";

let harness: Harness;
afterEach(async () => harness?.close());

/** 5 s at 720p silent, Seedance 1.5 Pro: 8.892 credits each at public default prices. */
const pricedBatch = (count: number) =>
  makeBatch(0, {
    jobs: Array.from({ length: count }, (_, i) => makeJob(i + 1, { request: makeRequest({ model: "seedance-1.5-pro", prompt: `Shot ${i + 1}` }) })),
  });

describe("a credit cap", () => {
  it("admits exactly the jobs that fit, then stops creating and says what it left", async () => {
    harness = await startHarness();
    const outcome = await harness.run(pricedBatch(10), { maxCredits: 40 });
    expect(outcome.jobs.filter((j) => j.state === "done")).toHaveLength(4);
    expect(outcome.stoppedBy).toBe("budget");
    expect(outcome.cap).toMatchObject({ max_credits: 40, reserved: expect.closeTo(4 * 8.892, 3), not_sent: 6, not_sent_credits: expect.closeTo(6 * 8.892, 3) });
    expect(ledgerReservations(harness.sim)).toBeLessThanOrEqual(40);
  });

  it("carries on in a rerun with a larger cap, counting what the first run reserved", async () => {
    harness = await startHarness();
    const batch = pricedBatch(10);
    await harness.run(batch, { maxCredits: 40 });
    const second = await harness.run(batch, { maxCredits: 60 });
    expect(second.jobs.filter((j) => j.state === "done")).toHaveLength(6);
    expect(ledgerReservations(harness.sim)).toBeLessThanOrEqual(60);
  });

  it("never lets the simulator's reservations pass it with 429s and resets after create", async () => {
    harness = await startHarness({ rate429: 0.3, resetAfterRate: 0.3, faultRoutes: ["create"], seed: 7 });
    const outcome = await harness.run(pricedBatch(12), { maxCredits: 50, retryWindowMs: 30_000 });
    expect(outcome.stoppedBy).toBe("budget");
    expect(harness.sim.ledger.faults.some((f) => f.kind === "reset_after")).toBe(true);
    expect(harness.sim.ledger.faults.some((f) => f.kind === "rate_limit")).toBe(true);
    expect(ledgerReservations(harness.sim)).toBeLessThanOrEqual(50);
  });

  it("sends a model with no estimate one create at a time until a reservation shows its price", async () => {
    harness = await startHarness();
    // The mini tier has no published price; the simulator charges it as 2.0 standard.
    const batch = makeBatch(0, {
      jobs: Array.from({ length: 4 }, (_, i) =>
        makeJob(i + 1, { request: makeRequest({ model: "seedance-2.0-mini-text-to-video", prompt: `Shot ${i + 1}` }) }),
      ),
    });
    const emitter = new RunnerEmitter();
    let submitting = 0;
    let priced = false;
    const most = { beforePrice: 0, after: 0 };
    emitter.on("job:state", ({ from, to, job }) => {
      if (to === "submitting") submitting++;
      if (from === "submitting") submitting--;
      if (to === "generating" && job.credits_reserved !== null) priced = true;
      if (priced) most.after = Math.max(most.after, submitting);
      else most.beforePrice = Math.max(most.beforePrice, submitting);
    });
    const outcome = await harness.run(batch, { maxCredits: 1000 }, { emitter });
    expect(outcome.jobs.every((j) => j.state === "done")).toBe(true);
    expect(most).toEqual({ beforePrice: 1, after: 3 });
  });
});
