/**
 * `shotlist export`: the approved shots' clips out of the batch folder, for
 * an editor, and optionally joined into an animatic. The decisions come from
 * the picks file; the clips from the state file, read like `status` reads it.
 */
import { resolve } from "node:path";
import { batchDir } from "../deliver/index.js";
import { ShotlistError } from "../errors.js";
import { loadBatch } from "../manifest/load.js";
import { chooseSelects, exportSelects, type ExportResult, type Unexported } from "../review/export.js";
import { concatClips, ffmpegIfInstalled, findFfmpeg, probeDuration, type ConcatMethod } from "../review/ffmpeg.js";
import { approvedSelection, picksPathFor, readPicks, reviewOf, shotHashes } from "../review/picks.js";
import { readStatus } from "./status.js";

export interface ExportOptions {
  manifestPath: string;
  profile?: string;
  outDir: string;
  statePath?: string;
  /** The folder the selects go to. */
  to: string;
  /** Where the animatic goes, when one is wanted. */
  concat?: string;
}

export interface ExportOutcome extends ExportResult {
  to: string;
  /** Shots left out because they are not approved (rejected, to review, stale), in manifest order. */
  unapproved: Unexported[];
  /** Approved shots with no clip to export. */
  missing: Unexported[];
  animatic?: { path: string; method: ConcatMethod; duration: number };
}

export async function exportApproved(options: ExportOptions): Promise<ExportOutcome> {
  // Asked for first: a missing ffmpeg stops the export before a file is placed.
  const tools = options.concat === undefined ? await ffmpegIfInstalled() : await findFfmpeg();
  const status = await readStatus(options);
  const { batch } = status;
  const hashes = shotHashes(batch.profile === null ? batch : (await loadBatch(options.manifestPath, {})).batch);
  const picksPath = picksPathFor(options.manifestPath);
  const picks = await readPicks(picksPath);
  const selection = approvedSelection(picks, hashes);
  if (selection.approved.length === 0) {
    throw new ShotlistError("usage", `no shot of ${options.manifestPath} is approved in ${picksPath}: approve some first (shotlist review, shotlist pick)`);
  }
  const approved = selection.approved.map((shotId) => {
    const { take } = reviewOf(picks, shotId, hashes.get(shotId) ?? "", batch.profile);
    return { shotId, rows: status.jobs.filter((row) => row.shot_id === shotId), ...(take === undefined ? {} : { chosenTake: take }) };
  });
  const { selects, missing } = chooseSelects(approved);
  const unapproved = selection.unapproved.map(({ shotId, reason }) => ({
    shot: shotId,
    reason: reason === "stale" ? "stale: changed since it was decided" : reason,
  }));
  const to = resolve(options.to);
  const result = await exportSelects(batchDir(resolve(options.outDir), batch.name), to, selects, {
    batch: batch.name,
    profile: batch.profile,
    unapproved: [...unapproved, ...missing],
    tools,
  });
  const outcome: ExportOutcome = { ...result, to, unapproved, missing };
  if (options.concat !== undefined && tools !== undefined && result.selects.length > 0) {
    const path = resolve(options.concat);
    const method = await concatClips(
      tools,
      result.selects.map((s) => resolve(to, s.file)),
      path,
    );
    outcome.animatic = { path, method, duration: await probeDuration(tools, path) };
  }
  return outcome;
}
