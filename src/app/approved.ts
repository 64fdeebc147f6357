/**
 * `--approved`: the batch cut down to the shots the picks file approves, for
 * `run` and `plan`. A decision is about the shot, so a draft's approval holds
 * for the final; a stale one (the shot changed since) is not applied.
 */
import { ShotlistError } from "../errors.js";
import type { Batch } from "../manifest/job.js";
import { loadBatch, type LoadedBatch } from "../manifest/load.js";
import type { Selection } from "../manifest/select.js";
import { approvedSelection, picksPathFor, readPicks, shotHashes, type ApprovedSelection, type Picks } from "../review/picks.js";

export interface SelectedBatch extends LoadedBatch {
  /** With --approved: the shots left out and why. */
  unapproved?: ApprovedSelection["unapproved"];
}

/** The manifest's batch under the profile; with `approved`, only its approved shots' jobs. */
export async function loadSelectedBatch(manifestPath: string, options: { profile?: string; approved?: boolean } & Selection): Promise<SelectedBatch> {
  const loaded = await loadBatch(manifestPath, options);
  if (options.approved !== true) return loaded;
  const { approved, unapproved } = await readApproval(manifestPath, loaded.batch);
  const keep = new Set(approved);
  const batch: Batch = { ...loaded.batch, jobs: loaded.batch.jobs.filter((job) => keep.has(job.shotId)) };
  return { batch, warnings: loaded.warnings, unapproved };
}

/** The picks file's decisions against the shots as they are now (for run, plan and export); refused when no shot is approved. */
export async function readApproval(manifestPath: string, batch: Batch): Promise<ApprovedSelection & { picks: Picks; hashes: Map<string, string> }> {
  const picksPath = picksPathFor(manifestPath);
  const [picks, hashes] = await Promise.all([readPicks(picksPath), currentShotHashes(manifestPath, batch)]);
  const selection = approvedSelection(picks, hashes);
  if (selection.approved.length === 0) {
    throw new ShotlistError("usage", `no shot of ${manifestPath} is approved in ${picksPath}: approve some first (shotlist review, shotlist pick)`);
  }
  return { ...selection, picks, hashes };
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
