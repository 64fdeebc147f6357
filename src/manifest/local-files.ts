/**
 * Local media files: what the manifest names by path, checked on disk before
 * anything is sent. Each distinct file is read once, however many shots use
 * it (a 100,000-shot manifest may name a few frames thousands of times):
 * its real format from its first bytes, its size, an image's dimensions from
 * its header, and its sha256, which is what enters the job key. Each use is
 * then judged against its own model's limits, and a problem is reported at
 * the use, with its shot.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import pLimit from "p-limit";
import { coerceError, type Problem } from "../errors.js";
import { MAX_UPLOAD_BYTES, maxFileBytes, sizeText } from "./file-limits.js";
import type { Mode } from "./job.js";
import { HEAD_BYTES, imageDimensions, sniffFormat, type Dimensions, type MediaFormat, type MediaKind } from "./media-format.js";
import { fieldName, problemAt, show } from "./problem.js";
import { resolveShot } from "./resolve.js";
import type { Manifest } from "./schema.js";
import type { Path, Source } from "./source.js";
import { isLocalPath, localPathText } from "./urls.js";

/** A local file a run uploads: what it is and what it holds. */
export interface LocalFile {
  /** Absolute path. */
  path: string;
  /** sha256 (hex) of its bytes: its identity in job keys and in the uploads table. */
  sha256: string;
  bytes: number;
  format: MediaFormat;
  /** An image's width and height, from its header. */
  dimensions?: Dimensions;
}

/** Where the manifest's local paths point from, and the files they name (by absolute path). */
export interface LocalInputs {
  baseDir: string;
  files: ReadonlyMap<string, LocalFile>;
}

/** The absolute path a local media value names: relative paths are the manifest folder's. */
export function localFilePath(value: string, baseDir: string): string {
  const path = localPathText(value);
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** One place the manifest names a media file. */
export interface MediaUse {
  value: string;
  /** A local file's absolute path; a URL as written. */
  absolute: string;
  path: Path;
  kind: MediaKind;
  model: string | undefined;
  mode: Mode;
}

type Inspection = { ok: true; file: LocalFile } | { ok: false; why: string };

/** Files read at once while checking. */
const READ_CONCURRENCY = 8;

const KIND_WORDS: Record<MediaKind, string> = { image: "an image (PNG, JPEG or WebP)", video: "a video (MP4 or MOV)", audio: "audio (MP3 or WAV)" };

/**
 * Checks every local file the manifest names; returns the problems (located
 * at each use) and the files that passed, by absolute path.
 */
export async function checkLocalFiles(manifest: Manifest, source: Source, manifestPath: string): Promise<{ problems: Problem[]; inputs: LocalInputs }> {
  const baseDir = dirname(resolve(manifestPath));
  const uses = mediaUses(manifest, baseDir, true);
  const results = await onceEach(uses, READ_CONCURRENCY, inspect);

  const problems: Problem[] = [];
  const files = new Map<string, LocalFile>();
  for (const use of uses) {
    const why = judge(use, results.get(use.absolute));
    if (why !== undefined) problems.push(problemAt(source, use.path, `${fieldName(use.path)} ${show(use.value)} ${why}`));
  }
  for (const [path, result] of results) if (result.ok) files.set(path, result.file);
  return { problems, inputs: { baseDir, files } };
}

/**
 * Every use of a local path (`local`) or of a URL (not `local`), in manifest
 * order; a local path is made absolute. Shots without such media cost one
 * look at their fields.
 */
export function mediaUses(manifest: Manifest, baseDir: string, local: boolean): MediaUse[] {
  const uses: MediaUse[] = [];
  const absolute = new Map<string, string>();
  const wanted = (value: string | undefined): boolean => value !== undefined && isLocalPath(value) === local;
  manifest.shots.forEach((shot, index) => {
    const fields = [shot.image, shot.first_frame, shot.last_frame, ...(shot.image_urls ?? []), ...(shot.video_urls ?? []), ...(shot.audio_urls ?? [])];
    if (!fields.some(wanted)) return;
    const resolved = resolveShot(manifest, shot, index, null);
    const lists: [MediaKind, typeof resolved.images][] = [
      ["image", resolved.images],
      ["video", resolved.videos],
      ["audio", resolved.audios],
    ];
    for (const [kind, items] of lists) {
      for (const { value, path } of items) {
        if (!wanted(value)) continue;
        let abs = local ? absolute.get(value) : value;
        if (abs === undefined) absolute.set(value, (abs = localFilePath(value, baseDir)));
        uses.push({ value, absolute: abs, path, kind, model: resolved.model?.value, mode: resolved.mode });
      }
    }
  });
  return uses;
}

/** `look` of each distinct file or URL the uses name (their `absolute`), `concurrency` at a time: a file named by 10,000 shots is read once. */
export async function onceEach<T>(uses: readonly MediaUse[], concurrency: number, look: (what: string) => Promise<T>): Promise<Map<string, T>> {
  const limit = pLimit(concurrency);
  const pending = new Map<string, Promise<T>>();
  for (const use of uses)
    if (!pending.has(use.absolute))
      pending.set(
        use.absolute,
        limit(() => look(use.absolute)),
      );
  const results = new Map<string, T>();
  for (const [what, result] of pending) results.set(what, await result);
  return results;
}

/** What is wrong with this use of the file, or undefined. */
function judge(use: MediaUse, result: Inspection | undefined): string | undefined {
  if (result === undefined) return "was not checked";
  if (!result.ok) return result.why;
  const { file } = result;
  if (file.format.kind !== use.kind) return `is ${KIND_WORDS[file.format.kind]} by its first bytes (${file.format.name}), not ${KIND_WORDS[use.kind]}`;
  const max = maxFileBytes(use.kind, use.model, use.mode);
  if (file.bytes > max) {
    const whose = max === MAX_UPLOAD_BYTES ? "the files service takes" : `${use.model ?? "the model"} takes ${use.kind}s of`;
    return `is ${sizeText(file.bytes)}; ${whose} at most ${sizeText(max)}`;
  }
  return undefined;
}

/** Reads the file once: its type, size and, for an image, its dimensions, with its sha256 on the way. */
async function inspect(path: string): Promise<Inspection> {
  const fail = (why: string): Inspection => ({ ok: false, why });
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fail(`is a folder, not a file (${path})`);
    if (!info.isFile()) return fail(`is not a regular file (${path})`);
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return fail(`is no file: nothing at ${path} (a relative path starts from the manifest's folder)`);
    return fail(`cannot be read (${path}): ${code === "EACCES" ? "permission denied" : coerceError(err).message}`);
  }
  if (size === 0) return fail(`is empty (${path})`);
  if (size > MAX_UPLOAD_BYTES) return fail(`is ${sizeText(size)}; the files service takes at most ${sizeText(MAX_UPLOAD_BYTES)} a file`);
  let read: { sha256: string; head: Buffer };
  try {
    read = await hashWithHead(path);
  } catch (err) {
    return fail(`cannot be read (${path}): ${coerceError(err).message}`);
  }
  const format = sniffFormat(read.head);
  if (format === undefined) return fail("is not a PNG, JPEG or WebP image, an MP4/MOV video or MP3/WAV audio (judged by its first bytes, not its name)");
  const file: LocalFile = { path, sha256: read.sha256, bytes: size, format };
  if (format.kind !== "image") return { ok: true, file };
  const dimensions = imageDimensions(read.head, format.name);
  if (dimensions === undefined)
    return fail(`starts like a ${format.name.toUpperCase()} image but its header is cut short or broken: no width and height in it`);
  return { ok: true, file: { ...file, dimensions } };
}

/** The file's sha256 and its first HEAD_BYTES, in one read. */
export async function hashWithHead(path: string): Promise<{ sha256: string; head: Buffer; bytes: number }> {
  const hash = createHash("sha256");
  const head: Buffer[] = [];
  let kept = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (kept < HEAD_BYTES) {
      head.push(chunk.subarray(0, HEAD_BYTES - kept));
      kept += Math.min(chunk.length, HEAD_BYTES - kept);
    }
  }
  return { sha256: hash.digest("hex"), head: Buffer.concat(head), bytes };
}
