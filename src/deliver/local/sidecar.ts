/** The sidecar beside each clip (<shot-id>_take-<NN>.json): which job and task made it, and its size and hash. */
import { readFileSync } from "node:fs";
import { writeJsonDurably, type Disk } from "../../download/index.js";
import type { JobRow } from "../../model/index.js";

const SIDECAR_VERSION = 1;

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
 * Writes the clip's sidecar durably (writeJsonDurably): the clip is renamed
 * only after this resolves, and a clip whose sidecar a power cut left empty
 * would be taken for another version's and moved to history/.
 */
export function writeSidecar(clipPath: string, sidecar: Sidecar, disk: Disk): Promise<void> {
  return writeJsonDurably(sidecarPathOf(clipPath), sidecar, disk);
}

/** The sidecar at `path`, when it parses to an object. */
export function readSidecar(path: string): Partial<Sidecar> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a sidecar says its clip is the one the job's row recorded: the
 * job's key and the row's sha256, read from the JSON rather than hashed. A
 * clip of another version of the shot (an edit, a revert, another manifest
 * with the same name) can have the very same size.
 */
export function namesClipOf(sidecar: Partial<Sidecar> | undefined, job: Pick<JobRow, "key" | "sha256">): boolean {
  return sidecar !== undefined && sidecar.key === job.key && sidecar.sha256 === job.sha256;
}
