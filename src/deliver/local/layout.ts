/**
 * Where a run's files go in the local batch folder:
 *
 *   <out>/<batch>[/<profile>]/<shot-id>/<shot-id>_take-<NN>.mp4
 *   <out>/<batch>[/<profile>]/<shot-id>/<shot-id>_take-<NN>.json   (sidecar)
 *   <out>/<batch>[/<profile>]/<shot-id>/history/<shot-id>_take-<NN>.<key>.mp4 (and .json: a clip of another version of the shot)
 *   <out>/<batch>[/<profile>]/report.json                (the last run of that profile)
 *   <out>/<batch>/.shotlist/state.db
 *
 * Every path is built with resolveInside, so nothing from a manifest or an
 * API answer can place a file outside the batch folder.
 */
import { basename, dirname, join } from "node:path";
import { resolveInside } from "../../download/index.js";
import type { JobRow } from "../../model/index.js";

export function batchDir(outDir: string, batch: string): string {
  return resolveInside(outDir, batch);
}

export function defaultStatePath(outDir: string, batch: string): string {
  return join(batchDir(outDir, batch), ".shotlist", "state.db");
}

/** One report per profile, beside that profile's clips: a draft run does not overwrite the final's. */
export function reportPath(outDir: string, batch: string, profile: string | null = ""): string {
  return profile === "" || profile === null ? join(batchDir(outDir, batch), "report.json") : resolveInside(batchDir(outDir, batch), profile, "report.json");
}

/**
 * The clip's path relative to the batch folder. The file name carries the
 * shot id, so an editor's bin that shows file names alone tells the clips
 * apart.
 */
export function clipRelativePath(job: Pick<JobRow, "profile" | "shot_id" | "take">): string {
  return join(shotFolderOf(job), `${job.shot_id}_${takeName(job.take)}`);
}

/**
 * Where the layout before shot-named clips put the clip (`<shot-id>/take-NN.mp4`).
 * A save adopts a clip found there (legacy.ts); a done job's row keeps the
 * path it recorded, so a folder written then resumes as it is.
 */
export function legacyClipRelativePath(job: Pick<JobRow, "profile" | "shot_id" | "take">): string {
  return join(shotFolderOf(job), takeName(job.take));
}

function shotFolderOf(job: Pick<JobRow, "profile" | "shot_id">): string {
  return job.profile === "" ? job.shot_id : join(job.profile, job.shot_id);
}

function takeName(take: number): string {
  return `take-${String(take).padStart(2, "0")}.mp4`;
}

/**
 * Where a clip of another version of the shot is kept: history/ beside the
 * clip, named by that version's job key (`saved-<ms>` for a clip with no
 * sidecar to say it), so a key that comes back finds its clip by name.
 */
export function historyPathOf(clipPath: string, tag: string): string {
  return join(dirname(clipPath), "history", `${basename(clipPath).replace(/\.mp4$/, "")}.${tag}.mp4`);
}
