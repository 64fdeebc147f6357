import { describe, expect, it } from "vitest";
import { decideAfterCreateError, decideAfterTaskFailure, decideOnResume } from "../../src/runner/decide.js";

const allOff = { resubmitUnknown: false, retryFailed: false, rerenderExpired: false };

describe("after a create fails", () => {
  it("puts a rate-limited job back in the queue and slows everyone down", () => {
    expect(decideAfterCreateError("rate_limited", { windowLeft: false, resubmitUnknown: true })).toMatchObject({ to: "queued", slowDown: true, retry: true });
  });

  it("retries a server error while the retry window lasts", () => {
    expect(decideAfterCreateError("transient", { windowLeft: true, resubmitUnknown: true })).toMatchObject({ to: "queued", retry: true });
  });

  it("fails the job once the retry window is spent", () => {
    expect(decideAfterCreateError("transient", { windowLeft: false, resubmitUnknown: true })).toMatchObject({ to: "failed", errorClass: "transient", retry: false });
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

describe("on resume", () => {
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
