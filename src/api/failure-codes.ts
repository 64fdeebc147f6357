/**
 * What a failed task's `error.code` means for the shot, from ONE table
 * (../shared/evolink-contract.md, "Task failure codes").
 */
import type { ErrorClass } from "../model/rows.js";

type TaskFailureClass = Extract<ErrorClass, "policy" | "transient" | "account" | "unknown">;

const TASK_FAILURE_CODES: Readonly<Record<string, TaskFailureClass>> = {
  // Fix the input: the same request would fail the same way.
  content_policy_violation: "policy",
  invalid_parameters: "policy",
  image_processing_error: "policy",
  image_dimension_mismatch: "policy",
  // Someone (the user, or EvoLink on their behalf) stopped the task on purpose:
  // sending it again would overrule that decision, so it is not retried either.
  // A task whose *status* is `cancelled` never gets here: that is its own job state.
  request_cancelled: "policy",
  // Retry later, as a new task (failed tasks are not billed).
  generation_failed_no_content: "transient",
  service_error: "transient",
  generation_timeout: "transient",
  resource_exhausted: "transient",
  service_unavailable: "transient",
  // The account, not the shot: stop submitting.
  quota_exceeded: "account",
  // Documented, but with no advice: treated like a missing code.
  resource_not_found: "unknown",
  unknown_error: "unknown",
};

/**
 * Classifies a failed task by its `error.code`. A missing or unrecognised
 * code is "unknown", which counts as retry-later (see isRetryable): moderation
 * outcomes can arrive late and undocumented codes appear, so a shot is never
 * given up on because of a code we have not heard of.
 */
export function classifyTaskFailure(code: string | undefined): TaskFailureClass {
  if (code === undefined) return "unknown";
  return Object.hasOwn(TASK_FAILURE_CODES, code) ? (TASK_FAILURE_CODES[code] ?? "unknown") : "unknown";
}

/** Whether a failure of this class may be retried as a new task. */
export function isRetryable(errorClass: ErrorClass): boolean {
  return errorClass === "transient" || errorClass === "unknown";
}
