/**
 * A done job's clip back from history/. Reverting an edited shot (or running
 * another manifest with the same name on the folder) makes a job done long
 * ago current again while another version's clip holds its place: its own
 * clip was moved to history/ under its key (historyPathOf) by the save that
 * replaced it, and is put back rather than downloaded or rendered again.
 */
import { statSync } from "node:fs";
import { dirname, relative } from "node:path";
import { DownloadError, hashFile, type Disk } from "../../download/index.js";
import type { JobRow } from "../../model/index.js";
import type { RestoredClip } from "../port.js";
import { keepEarlierVersion, readClipFolder } from "./clip-folder.js";
import { historyPathOf } from "./layout.js";
import { namesClipOf, readSidecar, sidecarPathOf } from "./sidecar.js";

/**
 * Puts the job's clip kept in history/ back at `clipPath`, when its sidecar
 * names the job's key and the file has the row's size and sha256 (hashed: a
 * restore is rare, and the clip is trusted by its size from then on).
 * Whatever holds the place goes to history/ first, as a save would move it.
 * The sidecar is moved back before the clip, in the order a save writes
 * them (a clip without its sidecar is taken for another version's); a run
 * killed between the two finds the sidecar back in place, and goes on from
 * there. Undefined when nothing could be restored: the caller fetches the
 * clip again, and meets any disk problem there, where it is reported.
 */
export async function restoreFromHistory(
  root: string,
  clipPath: string,
  job: Pick<JobRow, "key" | "bytes" | "sha256">,
  disk: Disk,
): Promise<RestoredClip | undefined> {
  const kept = historyPathOf(clipPath, job.key);
  try {
    const folder = readClipFolder(clipPath);
    const keptSidecar = readSidecar(sidecarPathOf(kept));
    if (!namesClipOf(keptSidecar ?? folder.sidecar, job)) return undefined;
    if (statSync(kept, { throwIfNoEntry: false })?.size !== job.bytes || (await hashFile(kept)).sha256 !== job.sha256) return undefined;
    const movedToHistory = keepEarlierVersion(root, clipPath, job.key, folder);
    if (keptSidecar !== undefined) {
      disk.rename(sidecarPathOf(kept), sidecarPathOf(clipPath));
      await disk.syncDir(dirname(clipPath));
    }
    disk.rename(kept, clipPath);
    await Promise.all([disk.syncDir(dirname(clipPath)), disk.syncDir(dirname(kept))]);
    return { from: relative(root, kept), ...(movedToHistory === undefined ? {} : { movedToHistory }) };
  } catch (err) {
    if (isFileSystemError(err)) return undefined;
    throw err;
  }
}

function isFileSystemError(err: unknown): boolean {
  return (err instanceof DownloadError && err.kind === "disk") || typeof (err as { syscall?: unknown } | null)?.syscall === "string";
}
