/**
 * `plan` as a diff against the state, like `terraform plan`: what the next
 * run would send, what it would only collect, what stays as it is, and which
 * earlier clips an edited shot would move to history/. Reads the state file
 * without the lock and sends nothing.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { defaultStatePath } from "../deliver/index.js";
import type { Batch, Job } from "../manifest/job.js";
import type { Selection } from "../manifest/select.js";
import type { JobRow } from "../model/index.js";
import { planFate, type PlanFate } from "../runner/decide.js";
import { openStore, type UploadRow } from "../store/index.js";
import type { ApprovedSelection } from "../review/picks.js";
import { loadSelectedBatch } from "./approved.js";

export interface PlannedJob {
  job: Job;
  fate: PlanFate;
  /** Its row, when a run recorded it. */
  row?: JobRow;
  /** The local files it sends, in request order. */
  inputs: readonly PlannedInput[];
}

/** A local file a job sends, and whether the state file holds a live upload of it. */
export interface PlannedInput {
  path: string;
  bytes: number;
  sha256: string;
  /** When its upload expires, if one is alive; undefined: the run uploads it. */
  aliveUntilMs?: number;
}

export interface Plan {
  batch: Batch;
  statePath: string;
  /** Whether a state file exists for the batch. */
  hasState: boolean;
  jobs: PlannedJob[];
  /** Done rows of earlier versions of shots the run would render again: their clips move to history/. */
  superseded: JobRow[];
  /** With --approved: the shots left out and why. */
  unapproved?: ApprovedSelection["unapproved"];
  /** Every row of the batch in the state: their reservations give the observed rates of the estimate. */
  rows: JobRow[];
}

/** The resume options a plain `run` has: unknown jobs resent, failures and expiries left. */
const PLAIN_RUN = { resubmitUnknown: true, retryFailed: false, rerenderExpired: false } as const;

export async function readPlan(
  options: { manifestPath: string; profile?: string; outDir: string; statePath?: string; approved?: boolean } & Selection,
): Promise<Plan> {
  const { batch, unapproved } = await loadSelectedBatch(options.manifestPath, options);
  const statePath = options.statePath === undefined ? defaultStatePath(resolve(options.outDir), batch.name) : resolve(options.statePath);
  const state = existsSync(statePath) ? readState(statePath, batch) : undefined;
  const rows = state?.rows;
  const byKey = new Map((rows ?? []).map((row) => [row.key, row]));
  const aliveUntil = liveUploads(state?.uploads ?? [], Date.now());
  const jobs = batch.jobs.map((job): PlannedJob => {
    const row = byKey.get(job.key);
    return { job, fate: planFate(row, PLAIN_RUN), ...(row === undefined ? {} : { row }), inputs: inputsOf(batch, job, aliveUntil) };
  });
  const superseded = rows === undefined ? [] : supersededRows(batch, jobs, rows);
  return { batch, statePath, hasState: rows !== undefined, jobs, superseded, rows: rows ?? [], ...(unapproved === undefined ? {} : { unapproved }) };
}

/** The latest done render of each shot and take the run renders anew: it holds its clip's path now. */
function supersededRows(batch: Batch, jobs: readonly PlannedJob[], rows: readonly JobRow[]): JobRow[] {
  const rendered = new Set(jobs.filter((j) => j.fate === "render").map((j) => `${j.job.shotId}#${j.job.take}`));
  const current = new Set(batch.jobs.map((j) => j.key));
  const latest = new Map<string, JobRow>();
  for (const row of rows) {
    const place = `${row.shot_id}#${row.take}`;
    if (row.state !== "done" || current.has(row.key) || !rendered.has(place)) continue;
    if ((latest.get(place)?.done_at_ms ?? -1) < (row.done_at_ms ?? 0)) latest.set(place, row);
  }
  return [...latest.values()];
}

function readState(statePath: string, batch: Batch): { rows: JobRow[]; uploads: UploadRow[] } {
  const store = openStore(statePath);
  try {
    return { rows: store.listJobs(batch.name, batch.profile ?? ""), uploads: store.listUploads() };
  } finally {
    store.close();
  }
}

/** The latest expiry of each file's uploads that are still alive, by sha256. */
function liveUploads(uploads: readonly UploadRow[], now: number): Map<string, number> {
  const alive = new Map<string, number>();
  for (const u of uploads) if (u.expires_at_ms > now) alive.set(u.sha256, Math.max(u.expires_at_ms, alive.get(u.sha256) ?? 0));
  return alive;
}

/** The inputs of a job that sends no local file: one shared list, not one per job. */
const NO_INPUTS: readonly PlannedInput[] = [];

function inputsOf(batch: Batch, job: Job, aliveUntil: ReadonlyMap<string, number>): readonly PlannedInput[] {
  const files = batch.localFiles;
  if (files === undefined) return NO_INPUTS;
  const { image_urls = [], video_urls = [], audio_urls = [] } = job.request;
  return [...image_urls, ...video_urls, ...audio_urls].flatMap((value) => {
    const file = files.get(value);
    if (file === undefined) return [];
    const until = aliveUntil.get(file.sha256);
    return [{ path: file.path, bytes: file.bytes, sha256: file.sha256, ...(until === undefined ? {} : { aliveUntilMs: until }) }];
  });
}
