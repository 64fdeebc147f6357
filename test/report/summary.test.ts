import { describe, expect, it } from "vitest";
import { summarize } from "../../src/report/summary.js";
import { makeDoneRow, makeJobRow } from "../helpers/job-rows.js";

const times = { startedAtMs: 1_000, endedAtMs: 251_000 };

describe("summarize", () => {
  it("counts jobs by state, every state present", () => {
    const summary = summarize([makeDoneRow(1, 60_000), makeJobRow({ key: "job-2", state: "generating" })], times);
    expect(summary.total).toBe(2);
    expect(summary.by_state).toMatchObject({ done: 1, generating: 1, queued: 0, failed: 0, unknown: 0 });
  });

  it("groups failed jobs by error class, unclassified as unknown", () => {
    const summary = summarize(
      [
        makeJobRow({ key: "a", state: "failed", error_class: "policy" }),
        makeJobRow({ key: "b", state: "failed", error_class: "policy" }),
        makeJobRow({ key: "c", state: "failed", error_class: null }),
      ],
      times,
    );
    expect(summary.failures_by_class).toEqual({ policy: 2, unknown: 1 });
  });

  it("computes attempts per success from done jobs only", () => {
    const summary = summarize(
      [makeDoneRow(1, 1_000, { attempts: 1 }), makeDoneRow(2, 1_000, { attempts: 2 }), makeJobRow({ key: "f", state: "failed", attempts: 3 })],
      times,
    );
    expect(summary.attempts_per_success).toBe(1.5);
  });

  it("counts retries as attempts beyond each job's first", () => {
    const summary = summarize([makeDoneRow(1, 1_000, { attempts: 3 }), makeDoneRow(2, 1_000, { attempts: 1 }), makeJobRow({ key: "q", attempts: 0 })], times);
    expect(summary.attempts).toBe(4);
    expect(summary.retries).toBe(2);
    expect(summary.retry_rate).toBe(0.5);
  });

  it("divides policy failures by jobs that got a final answer from the API", () => {
    const summary = summarize(
      [
        makeDoneRow(1, 1_000),
        makeDoneRow(2, 1_000),
        makeDoneRow(3, 1_000),
        makeJobRow({ key: "p", state: "failed", error_class: "policy", finished_at_ms: 5_000 }),
        makeJobRow({ key: "g", state: "generating", submitted_at_ms: 2_000 }),
      ],
      times,
    );
    expect(summary.policy_failure_rate).toBe(0.25);
  });

  it("counts a policy refusal at create time as a final answer", () => {
    const summary = summarize([makeJobRow({ state: "failed", error_class: "policy", finished_at_ms: null })], times);
    expect(summary.policy_failure_rate).toBe(1);
  });

  it("takes latency percentiles over completed and done jobs", () => {
    const latencies = [50_000, 60_000, 70_000, 80_000, 200_000];
    const rows = latencies.map((ms, i) => makeDoneRow(i + 1, ms, i === 0 ? { state: "completed" } : {}));
    rows.push(makeJobRow({ key: "f", state: "failed", submitted_at_ms: 0, finished_at_ms: 999_000 }));
    const summary = summarize(rows, times);
    expect(summary.latency_ms).toEqual({ p50: 70_000, p95: 200_000, samples: 5 });
  });

  it("adds seconds of video saved and requested", () => {
    const tenSeconds = JSON.stringify({ duration: 10 });
    const summary = summarize([makeDoneRow(1, 1_000), makeJobRow({ key: "q", request_json: tenSeconds })], times);
    expect(summary.video_seconds_done).toBe(5);
    expect(summary.video_seconds_requested).toBe(15);
  });

  it("counts an unreadable request as no seconds", () => {
    const summary = summarize([makeJobRow({ request_json: "{not json" })], times);
    expect(summary.video_seconds_requested).toBe(0);
  });

  it("counts as this run's only the credits of tasks created since it started", () => {
    const summary = summarize(
      [makeDoneRow(1, 1_000, { credits_reserved: 50, submitted_at_ms: 5_000 }), makeDoneRow(2, 1_000, { credits_reserved: 20, submitted_at_ms: 500 })],
      { startedAtMs: 1_000, endedAtMs: 9_000 },
    );
    expect([summary.credits_reserved_this_run, summary.credits_reserved]).toEqual([50, 70]);
  });

  it("sums credits reserved and divides billed credits by saved outputs", () => {
    const summary = summarize(
      [
        makeDoneRow(1, 1_000, { credits_reserved: 50 }),
        makeJobRow({ key: "e", state: "expired", credits_reserved: 50 }),
        makeJobRow({ key: "f", state: "failed", credits_reserved: 30 }),
      ],
      times,
    );
    expect(summary.credits_reserved).toBe(130);
    expect(summary.credits_per_success).toBe(100);
  });

  it("lists jobs left unknown", () => {
    const summary = summarize([makeJobRow({ key: "k9", shot_id: "s09", take: 2, state: "unknown" })], times);
    expect(summary.unknown).toEqual([{ shot: "s09", take: 2, key: "k9" }]);
  });

  it("gives ratios as null when nothing was done or sent", () => {
    const summary = summarize([makeJobRow()], times);
    expect(summary.attempts_per_success).toBeNull();
    expect(summary.retry_rate).toBeNull();
    expect(summary.policy_failure_rate).toBeNull();
    expect(summary.credits_per_success).toBeNull();
    expect(summary.latency_ms).toEqual({ p50: null, p95: null, samples: 0 });
  });

  it("records wall time from the run's start and end", () => {
    expect(summarize([], times)).toMatchObject({ started_at_ms: 1_000, ended_at_ms: 251_000, wall_ms: 250_000 });
  });
});
