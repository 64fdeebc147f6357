import type { EventKind, JobState } from "../model/index.js";
import type { JobRow } from "../model/rows.js";

/**
 * What the runner tells the outside world. The progress display, the --json
 * stream and tests subscribe to these instead of polling or sleeping.
 */
export interface RunnerEventMap {
  "run:start": { batch: string; profile: string; total: number; alreadyDone: number; at_ms: number };
  /** Every state change of a job, after it was committed to the state database. */
  "job:state": { job: JobRow; from: JobState; to: JobState; reason?: EventKind; at_ms: number };
  "job:progress": { job: JobRow; progress: number; at_ms: number };
  /** Something worth a line in the log that is not a state change (a retry, a slowdown). */
  "run:notice": { message: string; key?: string; at_ms: number };
  /** Creates began failing transiently (no connection, 5xx): told once per outage, not per retry; they are retried for retry_window_ms. */
  "api:unreachable": { message: string; retry_window_ms: number; at_ms: number };
  /** A create was answered again after an outage that lasted unreachable_ms. */
  "api:reachable": { unreachable_ms: number; at_ms: number };
  "run:end": { jobs: JobRow[]; interrupted: boolean; at_ms: number };
}
export type RunnerEventName = keyof RunnerEventMap;
