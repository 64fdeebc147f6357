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
import { openStore } from "../store/index.js";
import type { ApprovedSelection } from "../review/picks.js";
import { loadSelectedBatch } from "./approved.js";

export interface PlannedJob {
  job: Job;
  fate: PlanFate;
  /** Its row, when a run recorded it. */
  row?: JobRow;
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

export async function readPlan(options: { manifestPath: string; profile?: string; outDir: string; statePath?: string; approved?: boolean } & Selection): Promise<Plan> {
  const { batch, unapproved } = await loadSelectedBatch(options.manifestPath, options);
  const statePath = options.statePath === undefined ? defaultStatePath(resolve(options.outDir), batch.name) : resolve(options.statePath);
  const rows = existsSync(statePath) ? readRows(statePath, batch) : undefined;
  const byKey = new Map((rows ?? []).map((row) => [row.key, row]));
  const jobs = batch.jobs.map((job): PlannedJob => {
    const row = byKey.get(job.key);
    return { job, fate: planFate(row, PLAIN_RUN), ...(row === undefined ? {} : { row }) };
  });
  const rendered = new Set(jobs.filter((j) => j.fate === "render").map((j) => `${j.job.shotId}#${j.job.take}`));
  const current = new Set(batch.jobs.map((j) => j.key));
  // The latest done render of each shot and take the run renders anew holds its clip's path now.
  const latest = new Map<string, JobRow>();
  for (const row of rows ?? []) {
    const place = `${row.shot_id}#${row.take}`;
    if (row.state !== "done" || current.has(row.key) || !rendered.has(place)) continue;
    if ((latest.get(place)?.done_at_ms ?? -1) < (row.done_at_ms ?? 0)) latest.set(place, row);
  }
  const superseded = [...latest.values()];
  return { batch, statePath, hasState: rows !== undefined, jobs, superseded, rows: rows ?? [], ...(unapproved === undefined ? {} : { unapproved }) };
}

function readRows(statePath: string, batch: Batch): JobRow[] {
  const store = openStore(statePath);
  try {
    return store.listJobs(batch.name, batch.profile ?? "");
  } finally {
    store.close();
  }
}
