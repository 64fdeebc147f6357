import type { EventKind } from "./event-kinds.js";
import type { JobState } from "./states.js";

/** How a shot is rendered; follows from the media it carries, as the API decides. */
export type Mode = "text-to-video" | "image-to-video" | "first-last-frame" | "reference";

/** Failure classes, as the runner decides them and reports count them. */
export type ErrorClass =
  | "policy" // fix the input; never retried as is
  | "transient" // retry later (as a new task)
  | "account" // quota / auth: stops the run
  | "invalid" // the API refused the request (400/403/413)
  | "timeout" // the task never finished within --task-timeout
  | "download" // the result could not be saved
  | "disk" // writing the file failed (ENOSPC, EACCES)
  | "unknown";

/**
 * One row of the `jobs` table; columns are the same names in snake_case.
 * Times are integer epoch milliseconds named *_ms.
 */
export interface JobRow {
  /** Batch name (manifest `name`). */
  batch: string;
  /** --profile used, "" for none. Part of the identity: a draft and a final are different renders. */
  profile: string;
  /** The job key from the manifest expansion. */
  key: string;
  shot_id: string;
  take: number;
  mode: Mode;
  /** The CreateRequest, JSON. */
  request_json: string;
  prompt_hash: string;
  state: JobState;
  /** Task id of the current attempt, once the API answered. */
  task_id: string | null;
  /** Create requests sent for this job, over all runs. */
  attempts: number;
  /**
   * Tasks the API confirmed creating for this job, over all runs. Part of the
   * Idempotency-Key: a resend of an unanswered create reuses the key, a
   * deliberate retry after a failed task gets a new one.
   */
  generation: number;
  error_class: ErrorClass | null;
  error_code: string | null;
  error_message: string | null;
  /** Progress 0..100 of the current task, as last polled. */
  progress: number;
  credits_reserved: number | null;
  result_url: string | null;
  result_expires_at_ms: number | null;
  /** Relative to the batch folder. */
  output_path: string | null;
  bytes: number | null;
  sha256: string | null;
  created_at_ms: number;
  /** When the create of the current attempt was answered. */
  submitted_at_ms: number | null;
  /** When the API reported the task final. */
  finished_at_ms: number | null;
  /** When the file was saved. */
  done_at_ms: number | null;
  updated_at_ms: number;
}

/** One row of the append-only `events` table: the history of every job. */
export interface EventRow {
  id: number;
  batch: string;
  profile: string;
  key: string;
  at_ms: number;
  from_state: JobState | null;
  to_state: JobState | null;
  /** What happened: one of EVENT_KINDS. */
  kind: EventKind;
  /** Free-form details, JSON. Never holds the API key. */
  detail_json: string | null;
}

/** Which job: the primary key of `jobs`. */
export interface JobId {
  batch: string;
  profile: string;
  key: string;
}

/** The event a write appends. Details are JSON-encoded; callers never pass secrets (the API key). */
export interface EventInput {
  kind?: EventKind;
  detail?: unknown;
}
export type { EventKind } from "./event-kinds.js";
