import type { CreateRequest } from "../api/types.js";

import type { Mode } from "../model/rows.js";
import type { LocalFile } from "./local-files.js";

export type { Mode };

/** One render the runner will send: a shot x take, with defaults and profile applied. */
export interface Job {
  /**
   * Stable identity: a hash of the canonical request and the take number.
   * Changes when anything sent for this shot changes; does not change when
   * other shots are edited or reordered.
   */
  key: string;
  shotId: string;
  /** 1-based. */
  take: number;
  mode: Mode;
  /** Exactly what will be POSTed, every API default filled in. */
  request: CreateRequest;
  /** sha256 hex of the prompt, for sidecars and reports. */
  promptHash: string;
}

/** A manifest expanded for one run. */
export interface Batch {
  /** Batch name: the output folder. */
  name: string;
  /** The --profile chosen, or null. */
  profile: string | null;
  /** Concurrency asked for by the manifest, if any. */
  concurrency?: number;
  /** The manifest's `deliver`, if any: where clips go after the batch folder. */
  deliver?: { to: string; endpoint?: string; region?: string; pathStyle?: boolean };
  /** The credit cap the manifest sets (`budget.max_credits`), if any. */
  maxCredits?: number;
  jobs: Job[];
  /** The local files its jobs send (by absolute path, as their requests name them), uploaded before the creates. */
  localFiles?: ReadonlyMap<string, LocalFile>;
}
