/** What a run is given: the settings of the batch run, and the I/O it works through. */
import type { ApiClient, FilesClient } from "../api/index.js";
import type { ClipDelivery, ClipMirror } from "../deliver/index.js";
import type { Batch } from "../manifest/job.js";
import type { Store } from "../store/index.js";
import type { CallbackInbox } from "./callback-receiver.js";
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
  /** Clips uploading to the object store at once (with `mirror`). @default 4 */
  deliverConcurrency?: number;
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
  /** Credits this run may reserve (`run --max-credits`, manifest `budget.max_credits`); absent: no cap. */
  maxCredits?: number;
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
  /** Where saved clips go next (object storage, --deliver); none: the batch folder only. */
  mirror?: ClipMirror;
  /** Aborted on SIGINT/SIGTERM: stop submitting, let writes finish. */
  signal: AbortSignal;
  /** The run's callback URL, which every create carries, and the receiver its callbacks come to (--callback-url, --listen). */
  callbacks?: { url: string; inbox: CallbackInbox };
  now?: () => number;
  random?: () => number;
}
