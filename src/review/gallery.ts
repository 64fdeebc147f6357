import type { Batch } from "../manifest/job.js";
import type { ErrorClass, JobRow } from "../model/rows.js";
import type { JobState } from "../model/states.js";
import { reviewOf, type Picks, type ReviewState, type ShotReview } from "./picks.js";

/** What the gallery shows of one take: its job's request, and its row when a run recorded it. */
export interface TakeView {
  take: number;
  key: string;
  state: JobState | "not started";
  /** 0..100, while rendering. */
  progress: number;
  model: string;
  duration: number;
  quality: string;
  audio: boolean;
  credits: number | null;
  /** From the create's answer to the API's final word. */
  renderMs: number | null;
  /** The clip, relative to the batch folder, once it is on disk. */
  clip: string | null;
  error: { class: ErrorClass | null; code: string | null; message: string | null; hint: string | null } | null;
}

export interface ShotView {
  id: string;
  prompt: string;
  review: ShotReview;
  /** Some take failed, was cancelled or expired: the "failed" filter. */
  failed: boolean;
  takes: TakeView[];
}

export interface Gallery {
  batch: string;
  profile: string | null;
  shots: ShotView[];
}

export type Filter = "all" | ReviewState | "failed";
export const FILTERS: readonly Filter[] = ["all", "to review", "approved", "rejected", "failed"];

const FAILED: ReadonlySet<TakeView["state"]> = new Set(["failed", "cancelled", "expired"]);

/** Policy failures are the prompt's or an input's: the run never sends them again as they are. */
const HINTS: Partial<Record<ErrorClass, string>> = {
  policy: "refused by the content policy: reword the prompt or change the input; shotlist never resubmits it as is",
  timeout: "the task did not finish within --task-timeout; run --retry-failed to try again",
  download: "the clip could not be saved; run again to fetch it, or --rerender-expired once its URL expired",
};

/**
 * The gallery of a batch as it stands: one entry per shot in manifest order,
 * its takes from the batch's jobs and the rows a run recorded (`rows` from the
 * state file, read without its lock), its decision from the picks.
 */
export function buildGallery(batch: Batch, rows: readonly JobRow[], picks: Picks, hashes: ReadonlyMap<string, string>): Gallery {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const shots = new Map<string, ShotView>();
  for (const job of batch.jobs) {
    let shot = shots.get(job.shotId);
    if (shot === undefined) {
      const review = reviewOf(picks, job.shotId, hashes.get(job.shotId) ?? "", batch.profile);
      shot = { id: job.shotId, prompt: job.request.prompt, review, failed: false, takes: [] };
      shots.set(job.shotId, shot);
    }
    const row = byKey.get(job.key);
    const take = takeView(job.take, job.key, job.request, row);
    if (FAILED.has(take.state)) shot.failed = true;
    shot.takes.push(take);
  }
  return { batch: batch.name, profile: batch.profile, shots: [...shots.values()] };
}

function takeView(take: number, key: string, request: Batch["jobs"][number]["request"], row: JobRow | undefined): TakeView {
  const failedRow = row !== undefined && row.error_class !== null && FAILED.has(row.state);
  return {
    take,
    key,
    state: row?.state ?? "not started",
    progress: row?.progress ?? 0,
    model: request.model,
    duration: request.duration,
    quality: request.quality,
    audio: request.generate_audio,
    credits: row?.credits_reserved ?? null,
    renderMs: renderTime(row),
    clip: row?.state === "done" ? row.output_path : null,
    error: failedRow
      ? { class: row.error_class, code: row.error_code, message: row.error_message, hint: (row.error_class && HINTS[row.error_class]) ?? null }
      : null,
  };
}

function renderTime(row: JobRow | undefined): number | null {
  const from = row?.submitted_at_ms ?? null;
  const to = row?.finished_at_ms ?? null;
  return from === null || to === null ? null : to - from;
}

/** Whether a shot is listed under a filter. */
export function shownUnder(shot: ShotView, filter: Filter): boolean {
  if (filter === "all") return true;
  if (filter === "failed") return shot.failed;
  return shot.review.state === filter;
}
