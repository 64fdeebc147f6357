/**
 * The hand-off to an editor: one clip per approved shot, numbered in
 * manifest order, with a selects list (JSON for tools, CSV for a
 * spreadsheet). The clips are hard-linked where the file system allows it
 * (no copy of a 1 GiB final), copied otherwise.
 */
import { copyFile, link, mkdir, readFile, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import type { CreateRequest } from "../api/types.js";
import { hashFile, resolveInside, writeFileDurably, writeJsonDurably } from "../download/index.js";
import type { JobRow } from "../model/rows.js";
import { probeDuration, type FfmpegTools } from "./ffmpeg.js";

export const SELECTS_VERSION = 1;
export const SELECTS_JSON = "selects.json";
export const SELECTS_CSV = "selects.csv";

/** An approved shot as the export sees it. */
export interface ApprovedShot {
  shotId: string;
  /** The take chosen under the profile exported, when one was. */
  chosenTake?: number;
  /** Its jobs' rows under that profile (any state). */
  rows: readonly JobRow[];
}

export interface Select {
  /** The file's name in the export folder: `NN-<shot-id>.mp4`. */
  file: string;
  shot: string;
  take: number;
  /** The clip's path relative to the batch folder. */
  source: string;
  prompt: string;
  /** The duration asked for, in seconds: the selects' duration when ffprobe cannot measure it. */
  requestedDuration: number;
}

/** An approved shot with no clip to export, and why. */
export interface Unexported {
  shot: string;
  reason: string;
}

/**
 * Each approved shot's clip: its chosen take where one was picked, else its
 * first done take. A chosen take that has no clip is reported, not swapped
 * for another take.
 */
export function chooseSelects(shots: readonly ApprovedShot[]): { selects: Select[]; missing: Unexported[] } {
  const found: Omit<Select, "file">[] = [];
  const missing: Unexported[] = [];
  for (const shot of shots) {
    const done = shot.rows.filter((row) => row.state === "done" && row.output_path !== null).sort((a, b) => a.take - b.take);
    const row = shot.chosenTake === undefined ? done[0] : done.find((r) => r.take === shot.chosenTake);
    if (row === undefined) {
      const reason = shot.chosenTake === undefined ? "no take of it is done" : `its chosen take ${shot.chosenTake} is not done`;
      missing.push({ shot: shot.shotId, reason });
      continue;
    }
    const request = JSON.parse(row.request_json) as CreateRequest;
    found.push({ shot: shot.shotId, take: row.take, source: row.output_path as string, prompt: request.prompt, requestedDuration: request.duration });
  }
  const width = Math.max(2, String(found.length).length);
  const selects = found.map((s, i) => ({ file: `${String(i + 1).padStart(width, "0")}-${s.shot}.mp4`, ...s }));
  return { selects, missing };
}

export interface ExportedSelect {
  file: string;
  shot: string;
  take: number;
  source: string;
  sha256: string;
  /** Seconds: measured by ffprobe when it is installed, else the duration asked for. */
  duration: number;
  prompt: string;
}

export interface ExportResult {
  selects: ExportedSelect[];
  /** How many clips were hard-linked (the rest were copied). */
  linked: number;
}

/**
 * Puts the selects' clips into `to` and writes selects.json and selects.csv
 * beside them. Files a previous export listed and this one does not are
 * removed, so the folder holds one cut; other files are left alone.
 */
export async function exportSelects(
  batchFolder: string,
  to: string,
  selects: readonly Select[],
  context: { batch: string; profile: string | null; unapproved: readonly Unexported[]; tools: FfmpegTools | undefined },
): Promise<ExportResult> {
  await mkdir(to, { recursive: true });
  await removeEarlierExport(to, new Set(selects.map((s) => s.file)));
  let linked = 0;
  const exported: ExportedSelect[] = [];
  for (const select of selects) {
    const source = resolveInside(batchFolder, select.source);
    const target = join(to, select.file);
    if (await placeClip(source, target)) linked++;
    const { sha256 } = await hashFile(target);
    const duration = context.tools === undefined ? select.requestedDuration : await probeDuration(context.tools, target);
    exported.push({ file: select.file, shot: select.shot, take: select.take, source: select.source, sha256, duration, prompt: select.prompt });
  }
  await writeJsonDurably(join(to, SELECTS_JSON), {
    version: SELECTS_VERSION,
    batch: context.batch,
    profile: context.profile,
    batch_folder: batchFolder,
    selects: exported,
    not_exported: context.unapproved,
  });
  await writeFileDurably(join(to, SELECTS_CSV), selectsCsv(exported));
  return { selects: exported, linked };
}

/** Hard-links `source` to `target` (true), or copies it where a link cannot be made (false). */
async function placeClip(source: string, target: string): Promise<boolean> {
  await rm(target, { force: true });
  try {
    await link(source, target);
    return true;
  } catch (err) {
    // Another file system (EXDEV), or one without hard links (EPERM, ENOTSUP): a copy does.
    if (!["EXDEV", "EPERM", "ENOTSUP", "EMLINK"].includes((err as NodeJS.ErrnoException).code ?? "")) throw err;
    await copyFile(source, target);
    return false;
  }
}

async function removeEarlierExport(to: string, keep: ReadonlySet<string>): Promise<void> {
  const earlier = await readFile(join(to, SELECTS_JSON), "utf8").then(
    (text) => (JSON.parse(text) as { selects?: { file?: unknown }[] }).selects ?? [],
    () => [],
  );
  for (const { file } of earlier) {
    // Only a plain name from our own list: a hand-edited selects.json cannot point outside the folder.
    if (typeof file === "string" && file === basename(file) && !keep.has(file)) await rm(join(to, file), { force: true });
  }
}

const CSV_COLUMNS = ["file", "shot", "take", "source", "sha256", "duration", "prompt"] as const;

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function selectsCsv(selects: readonly ExportedSelect[]): string {
  const lines = [CSV_COLUMNS.join(","), ...selects.map((s) => CSV_COLUMNS.map((c) => csvField(s[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}
