import { readFile, stat } from "node:fs/promises";
import { ManifestError, coerceError, type Problem } from "../errors.js";
import { expandManifest } from "./expand.js";
import { selectShots, type Selection } from "./select.js";
import type { Batch } from "./job.js";
import { MAX_MANIFEST_BYTES, tooBig } from "./source.js";
import { validateManifest } from "./validate.js";

export interface LoadedBatch {
  batch: Batch;
  warnings: Problem[];
}

/**
 * Reads, validates and expands a manifest: the one call the commands and the
 * runner make. Throws ManifestError with every problem, or
 * ShotlistError("usage") for an unknown profile or a selection (--only,
 * --except) that names no shot.
 */
export async function loadBatch(path: string, options: { profile?: string } & Selection): Promise<LoadedBatch> {
  const validation = validateManifest(await readManifest(path), path);
  // Warnings ride along with the errors: an unknown model may explain an error elsewhere.
  if (!validation.ok) throw new ManifestError(validation.problems);
  return { batch: selectShots(expandManifest(validation.manifest, options.profile ?? null), options), warnings: validation.warnings };
}

/** Only the file I/O: refuses an oversized file before reading it into memory. */
async function readManifest(path: string): Promise<string> {
  const fail = (message: string): ManifestError => new ManifestError([{ file: path, message, severity: "error" }]);
  try {
    const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw fail("is not a file");
    if (size > MAX_MANIFEST_BYTES) throw new ManifestError([tooBig(path, size)]);
    return await readFile(path, "utf8");
  } catch (err) {
    if (err instanceof ManifestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code === "ENOENT" ? "no such file" : `cannot read it: ${coerceError(err).message}`);
  }
}
