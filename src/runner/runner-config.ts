/** What a run is given: the settings of the batch run, and the I/O it works through. */
import type { ApiClient, FilesClient } from "../api/index.js";
import type { ClipDelivery } from "../deliver/index.js";
import type { Batch } from "../manifest/job.js";
import type { Store } from "../store/index.js";
import type { ResumeOptions } from "./decide.js";
import type { RunnerEmitter } from "./emitter.js";
import type { RoomSettings } from "./room.js";
import type { RequestStep } from "./send-request.js";

export interface RunnerConfig extends ResumeOptions {
  batch: Batch;
  /** Where task ids the run could not record are written for the next run (beside the state file). */
  recoveryPath: string;
  /** Where room on disk is checked before each create. */
  room: RoomSettings;
  /** Tasks in flight at the API (submitted, not finished). */
  concurrency: number;
  downloadConcurrency: number;
  pollIntervalMs: number;
  /** Tasks per job per run, counting retries of retry-later failures. */
  maxAttempts: number;
  /** A task that has not finished this long after its create fails. */
  taskTimeoutMs: number;
  /** How long a job keeps retrying transient errors (5xx, network) before it gives up. */
  retryWindowMs: number;
  /** Result URLs live this long (24 h at EvoLink). */
  urlLifetimeMs: number;
  /** Hash every done file on resume instead of trusting its size. */
  verify: boolean;
  /** Additions to each create at send time (an uploaded file's URL, a callback URL): keys do not change. */
  sendTime?: readonly RequestStep[];
  /** Keep the run's uploads at the files service when no unfinished job needs them (by default they are deleted). */
  keepUploads?: boolean;
}

export interface RunnerDeps {
  store: Store;
  api: ApiClient;
  /** The files service, for batches that name local files (uploads.ts). */
  files?: FilesClient;
  emitter: RunnerEmitter;
  /** Where finished clips are saved, and checked on resume. */
  clips: ClipDelivery;
  /** Aborted on SIGINT/SIGTERM: stop submitting, let writes finish. */
  signal: AbortSignal;
  now?: () => number;
  random?: () => number;
}
