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
