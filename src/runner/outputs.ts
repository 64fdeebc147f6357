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
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { diskError } from "../download/download-error.js";
import { hashFile, resolveInside } from "../download/index.js";
import type { JobRow } from "../store/types.js";

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

/** Writes JSON atomically: a reader sees the old file or the new one, never half of one. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function sidecarKey(clipPath: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readFile(sidecarPathOf(clipPath), "utf8")) as { key?: unknown };
    return typeof parsed.key === "string" ? parsed.key : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Makes the clip's part (`<clip>.part`) the given task's before a download:
 * a part is resumed with Range, so a part left by another task (a re-render,
 * an earlier version of an edited shot) must never be taken for this one's,
 * which would splice two clips into one file of the right length.
 * `<clip>.part.task` names the task whose result the part holds; a part of
 * another task, or of none known, is removed first.
 */
export async function claimPart(clipPath: string, taskId: string | null): Promise<void> {
  const part = `${clipPath}.part`;
  const owner = `${part}.task`;
  if (taskId !== null && (await readFile(owner, "utf8").catch(() => undefined)) === taskId) return;
  try {
    await rm(part, { force: true });
    if (taskId === null) return;
    await mkdir(dirname(owner), { recursive: true });
    await writeFile(owner, taskId);
  } catch (err) {
    throw diskError(err, part);
  }
}

/**
 * Removes what interrupted saves of a clip left beside it: the note of whose
 * part it was, and temporary sidecars of a run killed while writing one
 * (named by that run's pid, so no later write replaces them). Called once
 * the clip and its sidecar are in place.
 */
export async function removeLeftovers(clipPath: string): Promise<void> {
  const dir = dirname(clipPath);
  const clip = basename(clipPath);
  const sidecar = basename(sidecarPathOf(clipPath));
  const names = await readdir(dir).catch(() => [] as string[]);
  const leftovers = names.filter(
    (name) => (name.startsWith(`${sidecar}.`) && name.endsWith(".tmp")) || name === `${clip}.part.task`,
  );
  await Promise.all(leftovers.map((name) => rm(join(dir, name), { force: true })));
}

/**
 * The clip at `clipPath`, if it is already the whole result of the job's
 * current task: its sidecar names the job and the task, and the file's size
 * and sha256 are the sidecar's. A run killed after the clip took its name and
 * before the state file recorded it finds the clip here, and need not fetch
 * it again (its URL may have died since).
 */
export async function savedAlready(clipPath: string, job: Pick<JobRow, "key" | "task_id">): Promise<{ bytes: number; sha256: string } | undefined> {
  let sidecar: Partial<Sidecar>;
  try {
    sidecar = JSON.parse(await readFile(sidecarPathOf(clipPath), "utf8")) as Partial<Sidecar>;
  } catch {
    return undefined;
  }
  if (job.task_id === null || sidecar.key !== job.key || sidecar.task_id !== job.task_id) return undefined;
  const found = await hashFile(clipPath).catch(() => undefined);
  return found !== undefined && found.bytes === sidecar.bytes && found.sha256 === sidecar.sha256 ? found : undefined;
}

/**
 * Before a new clip takes a path: if a clip of another version of the shot
 * (another key, or no sidecar to tell) is there, move it and its sidecar
 * into history/ instead of overwriting it. Returns where it went.
 */
export async function keepEarlierVersion(root: string, clipRel: string, key: string): Promise<string | undefined> {
  const clip = resolveInside(root, clipRel);
  if (!(await exists(clip))) return undefined;
  const oldKey = await sidecarKey(clip);
  if (oldKey === key) return undefined;
  const historyDir = join(dirname(clip), "history");
  await mkdir(historyDir, { recursive: true });
  const stem = clip.slice(dirname(clip).length + 1).replace(/\.mp4$/, "");
  const target = join(historyDir, `${stem}.${oldKey ?? `saved-${Date.now()}`}.mp4`);
  await rename(clip, target);
  const sidecar = sidecarPathOf(clip);
  if (await exists(sidecar)) await rename(sidecar, sidecarPathOf(target));
  return relative(root, target);
}
