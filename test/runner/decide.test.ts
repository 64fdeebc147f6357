import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/api/index.js";
import {
  createErrorKind,
  decideAfterCreateError,
  decideAfterDownloadError,
  decideAfterPollError,
  decideAfterTaskFailure,
  decideOnEmptyCompletion,
  decideOnResume,
  pollRetryDelay,
} from "../../src/runner/decide.js";

const allOff = { resubmitUnknown: false, retryFailed: false, rerenderExpired: false };

describe("after a create fails", () => {
  it("puts a rate-limited job back in the queue and slows everyone down", () => {
    expect(decideAfterCreateError("rate_limited", { windowLeft: false, resubmitUnknown: true })).toMatchObject({ to: "queued", slowDown: true, retry: true });
  });

  it("retries a server error while the retry window lasts", () => {
    expect(decideAfterCreateError("transient", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "queued", retry: true });
  });

  it("keeps the job queued and stops the run's creates once the retry window is spent: no task was made", () => {
    expect(decideAfterCreateError("transient", { windowLeft: false, resubmitUnknown: true })).toEqual({ to: "queued", errorClass: "transient", stopRun: "unreachable", retry: false });
  });

  it("marks a create with no answer unknown and resends it only when allowed", () => {
    expect(decideAfterCreateError("ambiguous", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "unknown", retry: true });
    expect(decideAfterCreateError("ambiguous", { windowLeft: true, resubmitUnknown: false })).toMatchObject({ to: "unknown", retry: false });
  });

  it("never retries a request the API refused as invalid", () => {
    expect(decideAfterCreateError("invalid", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "failed", errorClass: "invalid", retry: false });
  });

  it("stops the run on a refused key or an empty account, keeping the job for the next run", () => {
    expect(decideAfterCreateError("auth", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "queued", stopRun: "auth" });
    expect(decideAfterCreateError("quota", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "queued", stopRun: "quota" });
  });
});

describe("what a failed create means", () => {
  it("takes an API error's own kind", () => {
    expect(createErrorKind(new ApiError("no answer", { kind: "ambiguous" }), false)).toBe("ambiguous");
  });

  it("counts a create refused by an interrupt before it left as not sent", () => {
    expect(createErrorKind(new Error("interrupted"), true)).toBe("not_sent");
  });

  it("counts any other error before the request left as shotlist's own, never as a create that may exist", () => {
    expect(createErrorKind(new TypeError("bug"), false)).toBe("internal");
    expect(decideAfterCreateError("internal", { windowLeft: true, resubmitUnknown: true })).toEqual({ to: "queued", errorClass: "unknown", retry: false, endRun: true });
  });

  it("keeps a job unknown when a resend is refused, since the earlier create may have made a task", () => {
    expect(decideAfterCreateError("transient", { windowLeft: true, resubmitUnknown: true, mayExist: true })).toMatchObject({ to: "unknown", retry: true });
    expect(decideAfterCreateError("invalid", { windowLeft: true, resubmitUnknown: true, mayExist: true })).toMatchObject({ to: "failed" });
  });
});

describe("after a task fails at the API", () => {
  it("never retries a policy failure", () => {
    expect(decideAfterTaskFailure("policy", 1, 5)).toEqual({ to: "failed" });
  });

  it("retries a transient failure as a new task while attempts last", () => {
    expect(decideAfterTaskFailure("transient", 1, 2)).toEqual({ to: "queued" });
    expect(decideAfterTaskFailure("transient", 2, 2)).toEqual({ to: "failed" });
  });

  it("counts a missing or unknown failure code as retry-later", () => {
    expect(decideAfterTaskFailure("unknown", 1, 2)).toEqual({ to: "queued" });
  });

  it("stops submitting when the account ran out", () => {
    expect(decideAfterTaskFailure("account", 1, 2)).toEqual({ to: "queued", stopRun: "quota" });
  });
});

describe("after a read of a task fails", () => {
  it("stops the run when the key is refused", () => {
    expect(decideAfterPollError("auth", { windowLeft: true })).toEqual({ action: "stop-run", stopRun: "auth" });
  });

  it("renders the job again when the API no longer knows the task", () => {
    expect(decideAfterPollError("invalid", { windowLeft: true })).toEqual({ action: "task-gone" });
  });

  it("retries inside the window and leaves the task for the next run after it", () => {
    expect(decideAfterPollError("transient", { windowLeft: true })).toEqual({ action: "retry" });
    expect(decideAfterPollError("rate_limited", { windowLeft: false })).toEqual({ action: "give-up" });
  });

  it("waits a 429's Retry-After, else the backoff, and never less than a poll interval", () => {
    const backoffMs = () => 300;
    expect(pollRetryDelay("rate_limited", { retryAfterMs: 7_000, backoffMs, pollIntervalMs: 5_000 })).toBe(7_000);
    expect(pollRetryDelay("transient", { retryAfterMs: 7_000, backoffMs, pollIntervalMs: 1_000 })).toBe(1_000);
    expect(pollRetryDelay("transient", { retryAfterMs: undefined, backoffMs: () => 4_000, pollIntervalMs: 1_000 })).toBe(4_000);
  });

  it("reads a completed task without results twice more before it counts as failed", () => {
    expect([0, 1, 2].map(decideOnEmptyCompletion)).toEqual(["read-again", "read-again", "fail"]);
  });
});

describe("after a download fails", () => {
  it("refreshes a dead URL once, then expires the job", () => {
    expect(decideAfterDownloadError("expired", { windowLeft: true, canRefreshUrl: true })).toEqual({ action: "refresh-url" });
    expect(decideAfterDownloadError("expired", { windowLeft: true, canRefreshUrl: false })).toEqual({ action: "expire" });
  });

  it("fails a result that is not a clip, and keeps a disk error's job for the rerun", () => {
    expect(decideAfterDownloadError("invalid", { windowLeft: true, canRefreshUrl: true })).toEqual({ action: "fail" });
    expect(decideAfterDownloadError("disk", { windowLeft: true, canRefreshUrl: true })).toEqual({ action: "keep-for-rerun" });
  });

  it("retries transient errors inside the window only", () => {
    expect(decideAfterDownloadError("transient", { windowLeft: true, canRefreshUrl: true })).toEqual({ action: "retry" });
    expect(decideAfterDownloadError("transient", { windowLeft: false, canRefreshUrl: true })).toEqual({ action: "give-up" });
  });
});

describe("on resume", () => {
  it("follows a task the last run received but could not record, instead of sending its create again", () => {
    expect(decideOnResume({ state: "submitting", task_id: null }, allOff, "task-9")).toEqual({ kind: "adopt", taskId: "task-9" });
    expect(decideOnResume({ state: "unknown", task_id: null }, { ...allOff, resubmitUnknown: true }, "task-9")).toEqual({ kind: "adopt", taskId: "task-9" });
  });

  it("polls a job that has a task instead of resubmitting it", () => {
    expect(decideOnResume({ state: "generating", task_id: "t1" }, allOff)).toEqual({ kind: "poll" });
  });

  it("marks a job caught between sending and hearing back as unknown", () => {
    expect(decideOnResume({ state: "submitting", task_id: null }, allOff)).toEqual({ kind: "mark-unknown" });
  });

  it("resends unknown jobs by default and leaves them when told not to", () => {
    expect(decideOnResume({ state: "unknown", task_id: null }, { ...allOff, resubmitUnknown: true })).toEqual({ kind: "submit" });
    expect(decideOnResume({ state: "unknown", task_id: null }, allOff)).toEqual({ kind: "leave" });
  });

  it("downloads completed jobs and checks the files of done ones", () => {
    expect(decideOnResume({ state: "completed", task_id: "t1" }, allOff)).toEqual({ kind: "download" });
    expect(decideOnResume({ state: "done", task_id: "t1" }, allOff)).toEqual({ kind: "check-file" });
  });

  it("retries failed jobs only with --retry-failed and expired ones only with --rerender-expired", () => {
    expect(decideOnResume({ state: "failed", task_id: "t1" }, allOff)).toEqual({ kind: "leave" });
    expect(decideOnResume({ state: "failed", task_id: "t1" }, { ...allOff, retryFailed: true })).toEqual({ kind: "requeue" });
    expect(decideOnResume({ state: "expired", task_id: "t1" }, { ...allOff, retryFailed: true })).toEqual({ kind: "leave" });
    expect(decideOnResume({ state: "expired", task_id: "t1" }, { ...allOff, rerenderExpired: true })).toEqual({ kind: "requeue" });
  });
});
