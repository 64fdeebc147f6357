/**
 * Where a run's files go, and the sidecar that says what each clip is.
 *
 *   <out>/<batch>[/<profile>]/<shot-id>/take-<NN>.mp4
 *   <out>/<batch>[/<profile>]/<shot-id>/take-<NN>.json   (sidecar)
 *   <out>/<batch>[/<profile>]/<shot-id>/history/...      (clips of earlier versions of the shot)
 *   <out>/<batch>/report.json
 *   <out>/<batch>/.shotlist/state.db
 *
 * Every path is built with resolveInside, so nothing from a manifest or an
 * API answer can place a file outside the batch folder.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, dirname, join, relative } from "node:path";
import { diskError } from "../download/download-error.js";
import { hashFile, resolveInside } from "../download/index.js";
import type { JobRow } from "../model/rows.js";

export const SIDECAR_VERSION = 1;

export function batchDir(outDir: string, batch: string): string {
  return resolveInside(outDir, batch);
}

export function defaultStatePath(outDir: string, batch: string): string {
  return join(batchDir(outDir, batch), ".shotlist", "state.db");
}

export function reportPath(outDir: string, batch: string): string {
  return join(batchDir(outDir, batch), "report.json");
}

/** The clip's path relative to the batch folder. */
export function clipRelativePath(job: Pick<JobRow, "profile" | "shot_id" | "take">): string {
  const take = `take-${String(job.take).padStart(2, "0")}.mp4`;
  return job.profile === "" ? join(job.shot_id, take) : join(job.profile, job.shot_id, take);
}

export function sidecarPathOf(clipPath: string): string {
  return clipPath.replace(/\.mp4$/, ".json");
}

export interface Sidecar {
  version: number;
  key: string;
  shot: string;
  take: number;
  profile: string | null;
  task_id: string | null;
  model: string;
  request: unknown;
  prompt_hash: string;
  bytes: number;
  sha256: string;
  usage: { credits_reserved: number | null };
  timings: { submitted_at: string | null; finished_at: string | null; saved_at: string };
}

export function sidecarFor(job: JobRow, saved: { bytes: number; sha256: string; atMs: number }): Sidecar {
  const request = JSON.parse(job.request_json) as { model: string };
  const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
  return {
    version: SIDECAR_VERSION,
    key: job.key,
    shot: job.shot_id,
    take: job.take,
    profile: job.profile === "" ? null : job.profile,
    task_id: job.task_id,
    model: request.model,
    request,
    prompt_hash: job.prompt_hash,
    bytes: saved.bytes,
    sha256: saved.sha256,
    usage: { credits_reserved: job.credits_reserved },
    timings: { submitted_at: iso(job.submitted_at_ms), finished_at: iso(job.finished_at_ms), saved_at: new Date(saved.atMs).toISOString() },
  };
}

/**
 * The clip-side file steps below are synchronous on purpose. They are small
 * metadata calls on a local folder (a readdir, a rename, a note of a few
 * bytes); through fs/promises each costs a thread-pool round trip several
 * times its own work, and a save made about 25 of them. Measured on 3,000
 * clips: 0.76 ms of CPU per clip as promises, 0.20 ms synchronous. The bulk
 * transfer and the fsyncs, which can take long, stay asynchronous.
 */

/** What a clip's folder held before a save, read once: the save decides everything from it. */
export interface ClipFolder {
  names: ReadonlySet<string>;
  /** The clip's sidecar, when one is there and parses. */
  sidecar: Partial<Sidecar> | undefined;
}

export function readClipFolder(clipPath: string): ClipFolder {
  let names: string[];
  try {
    names = readdirSync(dirname(clipPath));
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return { names: new Set(), sidecar: undefined };
    throw diskError(err, dirname(clipPath));
  }
  const sidecarPath = sidecarPathOf(clipPath);
  return { names: new Set(names), sidecar: names.includes(basename(sidecarPath)) ? readSidecar(sidecarPath) : undefined };
}

function readSidecar(path: string): Partial<Sidecar> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as Partial<Sidecar>) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes JSON atomically: a reader sees the old file or the new one, never half of one. The folder must exist. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

/**
 * Picks where the clip's download is kept until it is whole, and clears the
 * way: the part is named by the task whose result it holds
 * (`take-01.mp4.<task tag>.part`). A part is resumed with Range, so a part of
 * another task (a re-render, an earlier version of an edited shot) must never
 * be taken for this one's, which would splice two clips into one file of the
 * right length. The parts other tasks left are removed (of no use to this
 * one), and so is the part of a job with no task id, which cannot be told
 * from another's. Returns the part's path.
 */
export function claimPart(clipPath: string, taskId: string | null, folder: ClipFolder): string {
  const tag = taskId === null ? "no-task" : createHash("sha256").update(taskId).digest("hex").slice(0, 12);
  const part = `${clipPath}.${tag}.part`;
  const ours = taskId === null ? undefined : basename(part);
  try {
    for (const name of folder.names) {
      if (isPartOf(clipPath, name) && name !== ours) rmSync(join(dirname(clipPath), name), { force: true });
    }
  } catch (err) {
    throw diskError(err, part);
  }
  return part;
}

/** A download of this clip by any task, or a leftover of the versions that named the part differently. */
function isPartOf(clipPath: string, name: string): boolean {
  const clip = basename(clipPath);
  return name.startsWith(`${clip}.`) && (name.endsWith(".part") || name === `${clip}.part.task`);
}

/**
 * Removes the temporary sidecars a run killed while writing one left beside
 * the clip (named by that run's pid, so no later write replaces them). Called
 * once the clip and its sidecar are in place.
 */
export function removeLeftovers(clipPath: string, folder: ClipFolder): void {
  const sidecar = basename(sidecarPathOf(clipPath));
  for (const name of folder.names) {
    if (name.startsWith(`${sidecar}.`) && name.endsWith(".tmp")) rmSync(join(dirname(clipPath), name), { force: true });
  }
}

/**
 * The clip at `clipPath`, if it is already the whole result of the job's
 * current task: its sidecar names the job and the task, and the file's size
 * and sha256 are the sidecar's. A run killed after the clip took its name and
 * before the state file recorded it finds the clip here, and need not fetch
 * it again (its URL may have died since).
 */
export async function savedAlready(clipPath: string, job: Pick<JobRow, "key" | "task_id">, folder: ClipFolder): Promise<{ bytes: number; sha256: string } | undefined> {
  const { sidecar } = folder;
  if (sidecar === undefined || job.task_id === null || sidecar.key !== job.key || sidecar.task_id !== job.task_id) return undefined;
  if (!folder.names.has(basename(clipPath))) return undefined;
  const found = await hashFile(clipPath).catch(() => undefined);
  return found !== undefined && found.bytes === sidecar.bytes && found.sha256 === sidecar.sha256 ? found : undefined;
}

/**
 * Before a new clip takes a path: if a clip of another version of the shot
 * (another key, or no sidecar to tell) is there, move it and its sidecar
 * into history/ instead of overwriting it. A sidecar of another key whose
 * clip is already in history/ (a run killed between the two moves) follows
 * it there. Returns where the clip went.
 */
export function keepEarlierVersion(root: string, clip: string, key: string, folder: ClipFolder): string | undefined {
  const sidecar = sidecarPathOf(clip);
  const oldKey = typeof folder.sidecar?.key === "string" ? folder.sidecar.key : undefined;
  const hasClip = folder.names.has(basename(clip));
  const hasSidecar = folder.names.has(basename(sidecar));
  if (oldKey === key || !(hasClip || (hasSidecar && oldKey !== undefined))) return undefined;
  const stem = basename(clip).replace(/\.mp4$/, "");
  const target = join(dirname(clip), "history", `${stem}.${oldKey ?? `saved-${Date.now()}`}.mp4`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    if (hasClip) renameSync(clip, target);
    if (hasSidecar) renameSync(sidecar, sidecarPathOf(target));
  } catch (err) {
    throw diskError(err, target);
  }
  return hasClip ? relative(root, target) : undefined;
}
