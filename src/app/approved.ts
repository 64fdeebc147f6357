/**
 * `--approved`: the batch cut down to the shots the picks file approves, for
 * `run` and `plan`. A decision is about the shot, so a draft's approval holds
 * for the final; a stale one (the shot changed since) is not applied.
 */
import { ShotlistError } from "../errors.js";
import type { Batch } from "../manifest/job.js";
import { loadBatch, type LoadedBatch } from "../manifest/load.js";
import { approvedSelection, picksPathFor, readPicks, shotHashes, type ApprovedSelection } from "../review/picks.js";

export interface SelectedBatch extends LoadedBatch {
  /** With --approved: the shots left out and why. */
  unapproved?: ApprovedSelection["unapproved"];
}

/** The manifest's batch under the profile; with `approved`, only its approved shots' jobs. */
export async function loadSelectedBatch(manifestPath: string, options: { profile?: string; approved?: boolean }): Promise<SelectedBatch> {
  const loaded = await loadBatch(manifestPath, options.profile === undefined ? {} : { profile: options.profile });
  if (options.approved !== true) return loaded;
  const picksPath = picksPathFor(manifestPath);
  const { approved, unapproved } = approvedSelection(await readPicks(picksPath), await currentShotHashes(manifestPath, loaded.batch));
  if (approved.length === 0) {
    throw new ShotlistError("usage", `no shot of ${manifestPath} is approved in ${picksPath}: approve some first (shotlist review, shotlist pick)`);
  }
  const keep = new Set(approved);
  const batch: Batch = { ...loaded.batch, jobs: loaded.batch.jobs.filter((job) => keep.has(job.shotId)) };
  return { batch, warnings: loaded.warnings, unapproved };
}

/** The shots' hashes as they are now: from the batch without a profile (the one given when it is that). */
export async function currentShotHashes(manifestPath: string, batch: Batch): Promise<Map<string, string>> {
  return shotHashes(batch.profile === null ? batch : (await loadBatch(manifestPath, {})).batch);
}

/** "not approved, not rendered: s02 (rejected), s03 (stale: changed since it was decided), s04 (to review)". */
export function unapprovedLine(unapproved: ApprovedSelection["unapproved"]): string | undefined {
  if (unapproved.length === 0) return undefined;
  const why = (reason: string): string => (reason === "stale" ? "stale: changed since it was decided" : reason);
  return `not approved, left out: ${unapproved.map((u) => `${u.shotId} (${why(u.reason)})`).join(", ")}`;
}
