/**
 * What an event in a job's history says happened. The state database stores
 * these names and the chaos audit and reports match on them, so a new kind is
 * added here, with a word on when it is written.
 */
export const EVENT_KINDS = [
  // the store
  "created", // first recorded, queued; also the move to generating when the create was answered
  "transition", // a move written with no reason of its own
  "update", // a change that is not a move
  // submits
  "submit", // the create intent, committed before the POST
  "resubmit-unknown", // the intent to send again a create that got no answer
  "create-rate_limited", // the create's answer, by how the client classified it
  "create-transient",
  "create-ambiguous",
  "create-invalid",
  "create-auth",
  "create-quota",
  "create-not_sent", // the run was interrupted before the create left
  "create-internal", // the create failed inside shotlist before anything was sent
  // polls
  "completed",
  "failed",
  "cancelled",
  "timeout", // --task-timeout ran out
  "retry-as-new-task", // a retry-later failure, rendered again
  "poll-gave-up",
  // callbacks
  "callback", // a callback for the job's task came in (detail: its claimed status and body, key-like text redacted); the task is read at once
  // downloads
  "saved",
  "expired",
  "download-invalid",
  "download-disk-error",
  "download-gave-up",
  "url-refreshed",
  // resume
  "file-missing-or-changed",
  "crashed-while-submitting",
  "retry-requested",
  "adopted", // a task followed without its create's answer: from the last run's recovery note, or found in the task list (detail.by "task-list")
  // the run
  "internal-error", // an internal error ended the run; detail names what it had in hand (a task id)
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];
