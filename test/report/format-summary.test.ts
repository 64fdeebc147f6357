import { describe, expect, it } from "vitest";
import { formatDuration, formatSummary } from "../../src/report/format-summary.js";
import { summarize } from "../../src/report/summary.js";
import { makeDoneRow, makeJobRow } from "../helpers/job-rows.js";

const times = { startedAtMs: 0, endedAtMs: 252_000 };

describe("formatSummary", () => {
  it("prints outcomes, video, credits, wall time, latency and attempts", () => {
    const rows = [
      makeDoneRow(1, 74_000, { attempts: 1 }),
      makeDoneRow(2, 131_000, { attempts: 2 }),
      makeJobRow({ key: "p", state: "failed", error_class: "policy", attempts: 1, finished_at_ms: 9_000, credits_reserved: 50 }),
    ];
    expect(formatSummary(summarize(rows, times))).toBe(
      [
        "2 done, 1 failed (policy 1), 0 expired · 10 of 15 s of video · 100 credits reserved this run (150 for the batch) · 4 min 12 s",
        "p50 74 s p95 131 s · 1.50 attempts per success · 1 retry (25%) · policy failures 33.3% · 50 credits per success",
      ].join("\n"),
    );
  });

  it("names the jobs left unknown", () => {
    const rows = [makeJobRow({ key: "u", shot_id: "s03-chase", take: 2, state: "unknown" })];
    expect(formatSummary(summarize(rows, times))).toContain("1 left unknown, a task may exist at the API: s03-chase#2");
  });

  it("counts one credit and one retry in the singular", () => {
    const rows = [makeDoneRow(1, 60_000, { attempts: 2, credits_reserved: 1 })];
    expect(formatSummary(summarize(rows, times)).split("\n")).toEqual([
      "1 done, 0 failed, 0 expired · 5 s of video · 1 credit reserved this run (1 for the batch) · 4 min 12 s",
      "p50 60 s p95 60 s · 2.00 attempts per success · 1 retry (50%) · policy failures 0% · 1 credit per success",
    ]);
  });

  it("says how many jobs an interrupted run left unfinished", () => {
    const rows = [makeJobRow({ key: "a", state: "generating" }), makeJobRow({ key: "b", state: "queued" })];
    expect(formatSummary(summarize(rows, times)).split("\n")[0]).toBe(
      "0 done, 0 failed, 0 expired, 2 unfinished · 0 of 10 s of video · 0 credits reserved this run (0 for the batch) · 4 min 12 s",
    );
  });

  it("contains no escape codes", () => {
    const text = formatSummary(summarize([makeDoneRow(1, 1_000), makeJobRow({ key: "u", state: "unknown" })], times));
    expect(text.split("\n")).toHaveLength(3);
    expect(text).not.toMatch(/\x1b/);
  });
});

describe("formatDuration", () => {
  it("uses seconds, minutes or hours as the span needs", () => {
    expect([42_000, 252_000, 3_780_000].map(formatDuration)).toEqual(["42 s", "4 min 12 s", "1 h 3 min"]);
  });
});
