import { readFile, stat } from "node:fs/promises";
import { ManifestError, coerceError, type Problem } from "../errors.js";
import { expandManifest } from "./expand.js";
import { selectShots, type Selection } from "./select.js";
import type { Batch } from "./job.js";
import { checkLocalFiles } from "./local-files.js";
import { checkRemoteUrls } from "./remote-urls.js";
import { MAX_MANIFEST_BYTES, tooBig } from "./source.js";
import { validateManifest } from "./validate.js";

export interface LoadedBatch {
  batch: Batch;
  warnings: Problem[];
}

/**
 * Reads, validates and expands a manifest: the one call the commands and the
 * runner make. The text is checked first, then the local files it names (on
 * disk, each once), and with `checkUrls` its remote media URLs (remote-urls.ts). Throws ManifestError with every problem, or
 * ShotlistError("usage") for an unknown profile or a selection (--only,
 * --except) that names no shot.
 */
export async function loadBatch(path: string, options: { profile?: string; checkUrls?: boolean } & Selection): Promise<LoadedBatch> {
  const validation = validateManifest(await readManifest(path), path);
  // Warnings ride along with the errors: an unknown model may explain an error elsewhere.
  if (!validation.ok) throw new ManifestError(validation.problems);
  const { problems, inputs } = await checkLocalFiles(validation.manifest, validation.source, path);
  if (options.checkUrls === true) problems.push(...(await checkRemoteUrls(validation.manifest, validation.source)));
  if (problems.length > 0) throw new ManifestError([...problems, ...validation.warnings].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { batch: selectShots(expandManifest(validation.manifest, options.profile ?? null, inputs), options), warnings: validation.warnings };
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
