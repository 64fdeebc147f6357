import { describe, expect, it } from "vitest";
import { ApiError, type TaskSummary } from "../../src/api/index.js";
import {
  CLOCK_SKEW_MS,
  LIST_LAG_MS,
  LIST_TRIES,
  canReconcile,
  couldBe,
  createErrorKind,
  decideAfterCreateError,
  decideAfterDownloadError,
  decideAfterListingError,
  decideLostCreate,
  decideAfterPollError,
  decideAfterTaskFailure,
  decideOnEmptyCompletion,
  decideOnResume,
  lostAnswerOf,
  matchLostCreate,
  pollRetryDelay,
  type OpenCreate,
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
    expect(decideAfterCreateError("transient", { windowLeft: false, resubmitUnknown: true })).toEqual({
      to: "queued",
      errorClass: "transient",
      stopRun: "unreachable",
      retry: false,
    });
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
    expect(decideAfterCreateError("internal", { windowLeft: true, resubmitUnknown: true })).toEqual({
      to: "queued",
      errorClass: "unknown",
      retry: false,
      endRun: true,
    });
  });

  it("keeps a job unknown when a resend is refused, since the earlier create may have made a task", () => {
    expect(decideAfterCreateError("transient", { windowLeft: true, resubmitUnknown: true, mayExist: true })).toMatchObject({ to: "unknown", retry: true });
    expect(decideAfterCreateError("invalid", { windowLeft: true, resubmitUnknown: true, mayExist: true })).toMatchObject({ to: "failed" });
  });
});

describe("a create whose answer was lost", () => {
  it("is an unreadable answer when one came, and no answer when none did", () => {
    expect(lostAnswerOf(new ApiError("200 with HTML", { kind: "ambiguous", status: 200, apiCode: "invalid_answer" }))).toBe("unreadable");
    expect(lostAnswerOf(new ApiError("reset", { kind: "ambiguous" }))).toBe("no-answer");
  });

  it("is looked for in the task list whenever the API may offer one", () => {
    expect([undefined, "untried", "usable", "unusable"].map((l) => canReconcile(l as never))).toEqual([false, true, true, false]);
  });

  it.each([
    // lost, listing, resubmitUnknown, windowLeft -> reconcile, retry
    ["unreadable", "untried", true, true, true, false],
    ["no-answer", "usable", true, true, true, false],
    ["unreadable", "unusable", true, true, false, false],
    ["no-answer", "unusable", true, true, false, true],
    ["no-answer", "unusable", false, true, false, false],
    ["no-answer", undefined, true, false, false, false],
  ] as const)("%s, list %s, resubmit %s, window %s: reconcile %s, resend %s", (lost, listing, resubmitUnknown, windowLeft, reconcile, retry) => {
    const decision = decideAfterCreateError("ambiguous", { lost, resubmitUnknown, windowLeft, ...(listing === undefined ? {} : { listing }) });
    expect(decision).toMatchObject({ to: "unknown", errorClass: "unknown", retry });
    expect(decision.reconcile === true).toBe(reconcile);
  });
});

describe("which listed task a lost create made", () => {
  const T0 = 1_800_000_000_000;
  const lost: OpenCreate = { key: "a", model: "m1", duration: 5, from_ms: T0, to_ms: T0 + 300 };
  const task = (id: string, offsetMs: number, extra: Partial<TaskSummary> = {}): TaskSummary => ({
    id,
    model: "m1",
    created_ms: T0 + offsetMs,
    status: "processing",
    ...extra,
  });
  const match = (tasks: TaskSummary[], others: { claimed?: string[]; open?: OpenCreate[]; complete?: boolean; runStartMs?: number } = {}) =>
    matchLostCreate(
      lost,
      { tasks, complete: others.complete ?? true },
      { claimed: new Set(others.claimed ?? []), open: others.open ?? [], runStartMs: others.runStartMs ?? T0 - 60_000 },
    );

  it.each([
    ["created while it was on the wire", true, task("t", 100)],
    ["created a second before it was sent (clock skew, whole seconds)", true, task("t", -CLOCK_SKEW_MS - 900)],
    ["created well before it was sent", false, task("t", -CLOCK_SKEW_MS - 1_000)],
    ["created well after its answer came", false, task("t", 300 + CLOCK_SKEW_MS + 1)],
    ["of another model", false, task("t", 100, { model: "m2" })],
    ["of another duration", false, task("t", 100, { video_duration: 6 })],
    ["of the same duration", true, task("t", 100, { video_duration: 5 })],
  ])("a task %s could be its task: %s", (_name, expected, t) => {
    expect(couldBe(t, lost)).toBe(expected);
  });

  it.each<[string, string, TaskSummary[], Parameters<typeof match>[1]]>([
    ["the one candidate", "one", [task("t1", 100), task("old", -60_000)], {}],
    ["no candidate", "none", [task("old", -60_000)], {}],
    ["two candidates", "several", [task("t1", 100), task("t2", 200)], {}],
    ["the one candidate left once the claimed are set aside", "one", [task("t1", 100), task("t2", 200)], { claimed: ["t2"] }],
    ["a candidate made before this run started", "none", [task("t1", 100)], { runStartMs: T0 + 2_000 }],
    ["a candidate another lost create could own", "several", [task("t1", 100)], { open: [{ ...lost, key: "b", from_ms: T0 + 50 }] }],
    ["a candidate a create still on the wire could own", "wait", [task("t1", 100)], { open: [{ ...lost, key: "b", from_ms: T0 + 200, to_ms: Infinity }] }],
    ["a candidate another model's create cannot own", "one", [task("t1", 100)], { open: [{ ...lost, key: "b", model: "m2", to_ms: Infinity }] }],
    ["a candidate only its own earlier create could own", "one", [task("t1", 100)], { open: [{ ...lost, from_ms: T0 - 500 }] }],
    ["an incomplete list with no candidate", "unsure", [], { complete: false }],
    ["an incomplete list with one candidate", "several", [task("t1", 100)], { complete: false }],
  ])("finds %s: %s", (_name, found, tasks, others) => {
    expect(match(tasks, others).found).toBe(found);
  });

  it("says whether a candidate it will not adopt is still running", () => {
    expect(match([task("t1", 100), task("t2", 200, { status: "completed" })])).toMatchObject({ found: "several", running: true });
    expect(match([task("t1", 100, { status: "failed" }), task("t2", 200, { status: "completed" })])).toMatchObject({ found: "several", running: false });
  });
});

describe("what becomes of a lost create once the list was read", () => {
  const open = { resubmitUnknown: true, windowLeft: true, sinceLostMs: 1_000, running: true, holdLeft: true };
  it.each<[Parameters<typeof decideLostCreate>[0], Parameters<typeof decideLostCreate>[1], Partial<typeof open>, string]>([
    ["unreadable", "one", {}, "adopt"],
    ["no-answer", "one", {}, "adopt"],
    ["unreadable", "wait", {}, "look-again"],
    ["unreadable", "several", {}, "hold"],
    ["no-answer", "several", { running: false }, "leave"],
    ["unreadable", "several", { holdLeft: false }, "leave"],
    ["unreadable", "none", {}, "look-again"],
    ["unreadable", "none", { sinceLostMs: LIST_LAG_MS }, "leave"],
    ["no-answer", "none", {}, "resend"],
    ["no-answer", "none", { resubmitUnknown: false }, "leave"],
    ["no-answer", "none", { windowLeft: false }, "leave"],
    ["unreadable", "unsure", {}, "leave"],
    ["no-answer", "unsure", {}, "resend"],
    ["unreadable", "not-offered", {}, "leave"],
    ["no-answer", "not-offered", {}, "resend"],
  ])("lost as %s, %s found, with %o: %s", (lost, found, options, step) => {
    expect(decideLostCreate(lost, found, { ...open, ...options })).toBe(step);
  });

  it.each<[string, string, Parameters<typeof decideAfterListingError>]>([
    ["a 404 or 405", "not-offered", ["invalid", undefined, 1]],
    ["a 2xx that holds no list", "not-offered", ["transient", "invalid_answer", 1]],
    ["a refused key", "not-offered", ["auth", undefined, 1]],
    ["a first 5xx", "retry", ["transient", undefined, 1]],
    ["a 429 on the last try", "give-up", ["rate_limited", undefined, LIST_TRIES]],
  ])("takes %s as %s", (_name, expected, args) => {
    expect(decideAfterListingError(...args)).toBe(expected);
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
