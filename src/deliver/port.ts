import type { JobRow } from "../model/index.js";

export interface SavedClip {
  /** Relative to the batch folder. */
  outputPath: string;
  bytes: number;
  sha256: string;
  /** Bytes reused from an earlier attempt's part; 0 for a download from scratch. */
  resumedFrom: number;
  /** Where an earlier version of the shot was moved, if one was in the way. */
  movedToHistory?: string;
}

/** A done job's clip put back under its name (ClipDelivery.restore). */
export interface RestoredClip {
  /** Where it had been kept, relative to the batch folder. */
  from: string;
  /** Where the clip that held its place went, if one did. */
  movedToHistory?: string;
}

/** Where a finished clip goes. The local batch folder is the first; later sinks (object storage) keep their own progress table, so `done` keeps meaning "saved locally". */
export interface ClipDelivery {
  /** Fetches the job's result from `url` and keeps it; resolves once it is durable. */
  save(job: JobRow, url: string, signal: AbortSignal): Promise<SavedClip>;
  /**
   * Whether a done job's clip is still there and intact: the clip at its path
   * is this job's (its sidecar names the job's key and recorded sha256) and
   * has the recorded size (`verify`: its hash). Writes nothing.
   */
  check(job: JobRow, options: { verify: boolean }): Promise<boolean>;
  /**
   * For a done job whose clip failed `check`: puts its clip back from where
   * the sink keeps earlier versions, when one there is this job's and intact,
   * keeping whatever held its place as an earlier version in turn. Undefined
   * when there is none: only then need it be fetched (or rendered) again.
   */
  restore(job: JobRow): Promise<RestoredClip | undefined>;
  /** Where the job's clip lives, relative to the batch folder. */
  locate(job: Pick<JobRow, "profile" | "shot_id" | "take">): string;
  /** Releases what it holds (the download pool). */
  close(): Promise<void>;
}

/** A clip the batch folder holds, as a later place (object storage) takes it. */
export interface LocalClip {
  job: Pick<JobRow, "key" | "task_id" | "prompt_hash">;
  /** Relative to the batch folder (ClipDelivery.locate), as the job's row recorded it. */
  outputPath: string;
  bytes: number;
  sha256: string;
}

/** A clip and its sidecar in the store, checked. */
export interface DeliveredObject {
  objectKey: string;
  /** s3://bucket/key: names the object without the endpoint. */
  url: string;
  etag: string | null;
  /** What the store answered it verified (base64 SHA-256; "-N" for an object of N parts), or the SHA-256 sent. */
  checksum: string | null;
  /** False when the object was already there, whole, from an upload a killed run never recorded. */
  uploaded: boolean;
  /** Where an earlier version of the shot's object was copied, if one was in the way. */
  movedToHistory?: string;
}

/**
 * Where a clip goes after the batch folder: object storage. It keeps no
 * progress of its own; the runner records each upload before and after (the
 * deliveries table), and tells `send` when an earlier attempt may have left a
 * half upload behind.
 */
export interface ClipMirror {
  /** s3://bucket/prefix, as given: what the deliveries table and messages name. */
  readonly target: string;
  /** The clip's object key for its path in the batch folder. */
  objectKeyOf(outputPath: string): string;
  /** Writes and deletes a small object under the prefix; throws ShotlistError("storage") saying why when the store refuses. */
  probe(): Promise<void>;
  /** Uploads the clip, then its sidecar; `afterAttempt`: an earlier attempt may have left a multipart upload open, which is aborted first. */
  send(clip: LocalClip, options: { afterAttempt: boolean }, signal: AbortSignal): Promise<DeliveredObject>;
  /** Whether the object is there with the clip's size and sha256 (a HEAD: for --verify). */
  check(clip: LocalClip): Promise<boolean>;
  close(): void;
}
