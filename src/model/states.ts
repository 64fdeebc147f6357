/**
 * The life of a job, as the runner and the state database both name it.
 *
 *   queued ──> submitting ──> generating ──> completed ──> done
 *                 │  │            │              │
 *                 │  └─> unknown  ├─> failed      └─> expired
 *                 │               └─> cancelled
 *                 └─> queued (the API said no and nothing was created: 429, 5xx)
 *
 * `submitting` is written before the create request is sent and `generating`
 * the moment the task id arrives, so a crash in between leaves a trace: such
 * a job may or may not exist at the API, and becomes `unknown`.
 */
export const JOB_STATES = [
  "queued", // not sent yet (or to be sent again)
  "submitting", // create intent committed; the request may be on the wire
  "unknown", // a create may have reached the API with no answer back
  "generating", // task id known; pending or processing at the API
  "completed", // the API finished it; result URL known, file not yet on disk
  "done", // file on disk under its final name, sha256 recorded
  "failed",
  "expired", // result URL died before the file was saved
  "cancelled",
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States that need no more work in this run. */
export const FINAL_STATES: ReadonlySet<JobState> = new Set(["done", "failed", "expired", "cancelled"]);

/** States whose task is in flight at the API and occupies a generation slot. */
export const IN_FLIGHT_STATES: ReadonlySet<JobState> = new Set(["submitting", "generating"]);

const LEGAL: Record<JobState, readonly JobState[]> = {
  queued: ["submitting"],
  submitting: ["generating", "queued", "unknown", "failed"],
  // A rerun either resubmits (the default) or leaves it for the user.
  // generating: the last run received its task id but could not record it (its recovery note says).
  unknown: ["submitting", "generating"],
  // queued: a retry-later failure becomes a new task; failed covers the task timeout.
  generating: ["completed", "failed", "cancelled", "queued"],
  completed: ["done", "expired", "failed"],
  // The file went missing or corrupt since: fetch it again while its URL lives.
  done: ["completed"],
  failed: ["queued"], // --retry-failed
  expired: ["queued"], // --rerender-expired
  cancelled: ["queued"], // --retry-failed
};

export function canTransition(from: JobState, to: JobState): boolean {
  return LEGAL[from].includes(to);
}

export function isJobState(value: string): value is JobState {
  return (JOB_STATES as readonly string[]).includes(value);
}

/** Every legal move, for tests that walk the whole table. */
export function legalMoves(): [JobState, JobState][] {
  return JOB_STATES.flatMap((from) => LEGAL[from].map((to): [JobState, JobState] => [from, to]));
}
