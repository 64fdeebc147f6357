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

/** Where a finished clip goes. The local batch folder is the first; later sinks (object storage) keep their own progress table, so `done` keeps meaning "saved locally". */
export interface ClipDelivery {
  /** Fetches the job's result from `url` and keeps it; resolves once it is durable. */
  save(job: JobRow, url: string, signal: AbortSignal): Promise<SavedClip>;
  /** Whether a done job's clip is still there and intact (`verify`: hash it, else its size). */
  check(job: JobRow, options: { verify: boolean }): Promise<boolean>;
  /** Where the job's clip lives, relative to the batch folder. */
  locate(job: Pick<JobRow, "profile" | "shot_id" | "take">): string;
  /** Releases what it holds (the download pool). */
  close(): Promise<void>;
}
