/**
 * Where a run's files go in the local batch folder:
 *
 *   <out>/<batch>[/<profile>]/<shot-id>/take-<NN>.mp4
 *   <out>/<batch>[/<profile>]/<shot-id>/take-<NN>.json   (sidecar)
 *   <out>/<batch>[/<profile>]/<shot-id>/history/take-<NN>.<key>.mp4 (and .json: a clip of another version of the shot)
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

/** The clip's path relative to the batch folder. */
export function clipRelativePath(job: Pick<JobRow, "profile" | "shot_id" | "take">): string {
  const take = `take-${String(job.take).padStart(2, "0")}.mp4`;
  return job.profile === "" ? join(job.shot_id, take) : join(job.profile, job.shot_id, take);
}

/**
 * Where a clip of another version of the shot is kept: history/ beside the
 * clip, named by that version's job key (`saved-<ms>` for a clip with no
 * sidecar to say it), so a key that comes back finds its clip by name.
 */
export function historyPathOf(clipPath: string, tag: string): string {
  return join(dirname(clipPath), "history", `${basename(clipPath).replace(/\.mp4$/, "")}.${tag}.mp4`);
}
