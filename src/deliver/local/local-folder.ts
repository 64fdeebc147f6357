/**
 * The local batch folder as a clip delivery: each clip is downloaded to its
 * place under the folder (layout.ts), beside a sidecar that says what it is.
 */
import { statSync } from "node:fs";
import { createDownloadAgent, downloadFile, hashFile, nodeDisk, resolveInside, type Disk } from "../../download/index.js";
import type { JobRow } from "../../model/index.js";
import type { ClipDelivery, RestoredClip, SavedClip } from "../port.js";
import { claimPart, keepEarlierVersion, readClipFolder, removeLeftovers, savedAlready } from "./clip-folder.js";
import { clipRelativePath } from "./layout.js";
import { adoptLegacyClip } from "./legacy.js";
import { restoreFromHistory } from "./restore.js";
import { namesClipOf, readSidecar, sidecarFor, sidecarPathOf, writeSidecar } from "./sidecar.js";

export interface LocalFolderOptions {
  /** Absolute path of the batch folder: clips are placed inside it. */
  root: string;
  /** Stamps the sidecar's saved_at. */
  now: () => number;
  /** The fsync and rename steps; a test passes its own to watch their order. @default nodeDisk */
  disk?: Disk;
}

export function createLocalFolder(options: LocalFolderOptions): ClipDelivery {
  const { root, now } = options;
  const disk = options.disk ?? nodeDisk;
  /** One pool for every download of the run (a connect per clip cost ~0.25 ms of CPU); closed with the folder. */
  const agent = createDownloadAgent();
  return {
    /**
     * Downloads a completed job's result to its place in the batch folder,
     * keeping any earlier version of the shot, and writes its sidecar.
     * The clip appears under its final name only when complete (downloadFile's
     * part, structure check + rename), and only after its sidecar is on disk: a clip without a
     * sidecar is taken for an earlier version of the shot and moved to
     * history/, so a crash between the two must never leave one. A clip this
     * task already saved in full (a run killed before recording it) is kept
     * as it is, and a part is resumed only by the task whose result it holds.
     */
    async save(job: JobRow, url: string, signal: AbortSignal): Promise<SavedClip> {
      const rel = clipRelativePath(job);
      const dest = resolveInside(root, rel);
      adoptLegacyClip(root, job, dest);
      const folder = readClipFolder(dest);
      const already = await savedAlready(dest, job, folder);
      if (already !== undefined) {
        removeLeftovers(dest, folder);
        return { outputPath: rel, ...already, resumedFrom: already.bytes };
      }
      const movedToHistory = keepEarlierVersion(root, dest, job.key, folder);
      const part = claimPart(dest, job.task_id, folder);
      const beforeRename = (saved: { bytes: number; sha256: string }): Promise<void> =>
        writeSidecar(dest, sidecarFor(job, { bytes: saved.bytes, sha256: saved.sha256, atMs: now() }), disk);
      const saved = await downloadFile({ url, dest, part, signal, beforeRename, dispatcher: agent, disk });
      removeLeftovers(dest, folder);
      return {
        outputPath: rel,
        bytes: saved.bytes,
        sha256: saved.sha256,
        resumedFrom: saved.resumedFrom,
        ...(movedToHistory === undefined ? {} : { movedToHistory }),
      };
    },

    async check(job: JobRow, { verify }: { verify: boolean }): Promise<boolean> {
      if (job.output_path === null || job.bytes === null) return false;
      const path = resolveInside(root, job.output_path);
      try {
        // Synchronous: a rerun of a finished batch stats every clip and reads its sidecar, one after
        // another, and a promise per step costs a thread-pool round trip several times the step itself.
        // The sidecar tells another version's clip of the same size (a reverted edit) from this job's.
        const info = statSync(path);
        if (info.size !== job.bytes || !namesClipOf(readSidecar(sidecarPathOf(path)), job)) return false;
        if (!verify) return true;
        return (await hashFile(path)).sha256 === job.sha256;
      } catch {
        return false;
      }
    },

    async restore(job: JobRow): Promise<RestoredClip | undefined> {
      if (job.output_path === null) return undefined;
      return restoreFromHistory(root, resolveInside(root, job.output_path), job, disk);
    },

    locate: clipRelativePath,

    close: () => agent.destroy(),
  };
}
