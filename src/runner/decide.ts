/**
 * What the runner does after each outcome, as pure functions: the scheduler
 * only carries these decisions out. Every rule of the "Errors"
 * paragraph lives here, so it can be read (and tested) in one place.
 */
import type { ErrorClass, JobRow } from "../model/rows.js";
import type { JobState } from "../model/states.js";

/** How a failed create answered, as the API client classifies it. */
export type CreateErrorKind = "rate_limited" | "transient" | "ambiguous" | "invalid" | "auth" | "quota";

export interface CreateErrorDecision {
  to: Extract<JobState, "queued" | "unknown" | "failed">;
  errorClass: ErrorClass;
  /** Stop submitting for the whole run (in-flight tasks are still collected). */
  stopRun?: "auth" | "quota" | "rate_limited";
  /** Lower the pace for everyone: wait this long before any new create, and halve the in-flight limit. */
  slowDown?: boolean;
  /** Send it again after a backoff (inside the retry window). */
  retry: boolean;
}

export function decideAfterCreateError(
  kind: CreateErrorKind,
  options: {
    windowLeft: boolean;
    resubmitUnknown: boolean;
    /** Whether tasks of this run hold slots at the API; unknown counts as yes. */
    othersInFlight?: boolean;
  },
): CreateErrorDecision {
  switch (kind) {
    case "rate_limited":
      // 429 means the task was not created: no budget is spent on it. While tasks of this run are in flight the
      // 429 is the account's concurrency limit and waiting is right; with none, an API that refuses every create
      // for the whole retry window will not change its mind: stop sending (the jobs stay queued for the next run)
      // rather than wait forever.
      if (!options.windowLeft && options.othersInFlight === false) return { to: "queued", errorClass: "transient", stopRun: "rate_limited", retry: false };
      return { to: "queued", errorClass: "transient", slowDown: true, retry: true };
    case "transient":
      return options.windowLeft ? { to: "queued", errorClass: "transient", retry: true } : { to: "failed", errorClass: "transient", retry: false };
    case "ambiguous":
      // The request may have reached the API. Resending risks paying twice; not resending risks a lost shot.
      // The Idempotency-Key makes a resend safe where the API honours it.
      return { to: "unknown", errorClass: "unknown", retry: options.resubmitUnknown && options.windowLeft };
    case "invalid":
      return { to: "failed", errorClass: "invalid", retry: false };
    case "auth":
      return { to: "queued", errorClass: "account", stopRun: "auth", retry: false };
    case "quota":
      return { to: "queued", errorClass: "account", stopRun: "quota", retry: false };
  }
}

export interface TaskFailureDecision {
  to: Extract<JobState, "queued" | "failed">;
  stopRun?: "quota";
}

/**
 * A task that ended `failed` at the API. Retry-later classes become a new
 * task while this run's attempts last; fix-the-input classes never do.
 */
export function decideAfterTaskFailure(errorClass: ErrorClass, tasksThisRun: number, maxAttempts: number): TaskFailureDecision {
  if (errorClass === "account") return { to: "queued", stopRun: "quota" };
  const retryable = errorClass === "transient" || errorClass === "unknown";
  return retryable && tasksThisRun < maxAttempts ? { to: "queued" } : { to: "failed" };
}

export interface ResumeOptions {
  resubmitUnknown: boolean;
  retryFailed: boolean;
  rerenderExpired: boolean;
}

/** What a job found in the state database needs at the start of a run. */
export type ResumeAction =
  | { kind: "submit" } // queued, or to be sent again
  | { kind: "poll" } // a task exists at the API: never resubmit it
  | { kind: "download" }
  | { kind: "check-file" } // done: skip if the file is intact
  | { kind: "mark-unknown" } // crashed between sending a create and hearing back
  | { kind: "requeue" } // a final failure the user asked to retry
  | { kind: "leave" };

export function decideOnResume(row: Pick<JobRow, "state" | "task_id">, options: ResumeOptions): ResumeAction {
  switch (row.state) {
    case "queued":
      return { kind: "submit" };
    case "submitting":
      return { kind: "mark-unknown" };
    case "unknown":
      return options.resubmitUnknown ? { kind: "submit" } : { kind: "leave" };
    case "generating":
      return { kind: "poll" };
    case "completed":
      return { kind: "download" };
    case "done":
      return { kind: "check-file" };
    case "failed":
    case "cancelled":
      return options.retryFailed ? { kind: "requeue" } : { kind: "leave" };
    case "expired":
      return options.rerenderExpired ? { kind: "requeue" } : { kind: "leave" };
  }
}
