/**
 * Recording decisions: `shotlist pick` and the review page's buttons both
 * come here. Each change is checked against the manifest as it is now (the
 * shot exists, the take is one of its takes) and stamped with the shot's
 * current hash; the file is read, changed and replaced in one go.
 */
import { ShotlistError } from "../errors.js";
import { counted } from "../text.js";
import { loadBatch } from "../manifest/load.js";
import { show } from "../manifest/problem.js";
import { applyPick, changeFor, picksPathFor, readPicks, shotHashes, writePicks, type Picks } from "../review/picks.js";

export interface PickRequest {
  shotId: string;
  /** A take number, approve, reject, clear, or note (with `note`). */
  what: string;
  note?: string;
}

/** Records the decisions in order and returns one line per decision saying what it recorded. */
export async function recordPicks(manifestPath: string, profile: string | undefined, requests: readonly PickRequest[]): Promise<string[]> {
  // Loading under the profile refuses an unknown one; the hashes come from the batch without one.
  if (profile !== undefined) await loadBatch(manifestPath, { profile });
  const { batch } = await loadBatch(manifestPath, {});
  const hashes = shotHashes(batch);
  const takes = new Map<string, number>();
  for (const job of batch.jobs) takes.set(job.shotId, Math.max(job.take, takes.get(job.shotId) ?? 0));
  const path = picksPathFor(manifestPath);
  let picks: Picks = await readPicks(path);
  const said = requests.map(({ shotId, what, note }) => {
    const hash = hashes.get(shotId);
    if (hash === undefined) throw new ShotlistError("usage", `no shot ${show(shotId)} in ${manifestPath}`);
    const change = changeFor(what, profile ?? null, note);
    const count = takes.get(shotId) ?? 0;
    if ("take" in change && change.take > count) {
      throw new ShotlistError("usage", `shot ${shotId} has ${counted(count, "take")}, not a take ${change.take}`);
    }
    picks = applyPick(picks, shotId, change, hash);
    if ("take" in change) return `${shotId}: take ${change.take} chosen${profile === undefined ? "" : ` (profile ${profile})`}, approved`;
    if ("note" in change) return `${shotId}: note saved`;
    return `${shotId}: ${change.decision === null ? "back to review" : change.decision}`;
  });
  await writePicks(path, picks, [...hashes.keys()]);
  return said;
}
