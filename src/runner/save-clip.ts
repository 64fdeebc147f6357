import type { Dispatcher } from "undici";
import { downloadFile, resolveInside } from "../download/index.js";
import type { JobRow } from "../model/rows.js";
import { claimPart, clipRelativePath, keepEarlierVersion, readClipFolder, removeLeftovers, savedAlready, sidecarFor, sidecarPathOf, writeJsonAtomic } from "./outputs.js";

export interface SavedClip {
  outputPath: string;
  bytes: number;
  sha256: string;
  resumedFrom: number;
  /** Where an earlier version of the shot was moved, if one was in the way. */
  movedToHistory?: string;
}

/**
 * Downloads a completed job's result to its place in the batch folder,
 * keeping any earlier version of the shot, and writes its sidecar.
 * The clip appears under its final name only when complete (downloadFile's
 * .part + rename), and only after its sidecar: a clip without a sidecar is
 * taken for an earlier version of the shot and moved to history/, so a crash
 * between the two must never leave one. A clip this task already saved in
 * full (a run killed before recording it) is kept as it is, and a part is
 * resumed only by the task whose result it holds.
 * `dispatcher`: the run's pool for result hosts (createDownloadAgent); without it, each download opens its own.
 */
export async function saveClip(root: string, job: JobRow, url: string, signal: AbortSignal, now: () => number, dispatcher?: Dispatcher): Promise<SavedClip> {
  const rel = clipRelativePath(job);
  const dest = resolveInside(root, rel);
  const folder = readClipFolder(dest);
  const already = await savedAlready(dest, job, folder);
  if (already !== undefined) {
    removeLeftovers(dest, folder);
    return { outputPath: rel, ...already, resumedFrom: already.bytes };
  }
  const movedToHistory = keepEarlierVersion(root, dest, job.key, folder);
  const part = claimPart(dest, job.task_id, folder);
  const writeSidecar = async (saved: { bytes: number; sha256: string }): Promise<void> =>
    writeJsonAtomic(sidecarPathOf(dest), sidecarFor(job, { bytes: saved.bytes, sha256: saved.sha256, atMs: now() }));
  const saved = await downloadFile({ url, dest, part, signal, beforeRename: writeSidecar, ...(dispatcher === undefined ? {} : { dispatcher }) });
  removeLeftovers(dest, folder);
  return { outputPath: rel, bytes: saved.bytes, sha256: saved.sha256, resumedFrom: saved.resumedFrom, ...(movedToHistory === undefined ? {} : { movedToHistory }) };
}
