/**
 * Folders written before clips were named by their shot (`<shot-id>/take-NN.mp4`).
 * A save of the job moves what it finds there to today's names first, the
 * sidecar before the clip (the order a save writes them: a clip without its
 * sidecar is taken for another version's), so everything after, the resume
 * of a clip already whole and the move of another version to history/,
 * works as it does on a folder of today's layout.
 */
import { existsSync, renameSync } from "node:fs";
import { diskError, resolveInside } from "../../download/index.js";
import type { JobRow } from "../../model/index.js";
import { legacyClipRelativePath } from "./layout.js";
import { sidecarPathOf } from "./sidecar.js";

export function adoptLegacyClip(root: string, job: Pick<JobRow, "profile" | "shot_id" | "take">, dest: string): void {
  const legacy = resolveInside(root, legacyClipRelativePath(job));
  for (const [from, to] of [
    [sidecarPathOf(legacy), sidecarPathOf(dest)],
    [legacy, dest],
  ] as const) {
    try {
      if (existsSync(from) && !existsSync(to)) renameSync(from, to);
    } catch (err) {
      throw diskError(err, to);
    }
  }
}
