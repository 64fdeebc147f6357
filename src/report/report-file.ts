import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeJsonDurably, type Disk } from "../download/index.js";
import { objectUrl, parseTarget } from "../deliver/index.js";
import type { DeliveryRow } from "../model/index.js";
import type { ErrorClass, JobRow } from "../model/rows.js";
import type { JobState } from "../model/states.js";
import type { CapOutcome } from "../runner/budget.js";
import { costBreakdown, type CostBreakdown } from "./cost.js";
import type { RunSummary } from "./summary.js";
import { taskLatencyMs } from "./job-facts.js";

/** Bumped whenever a field of report.json changes meaning or goes away. */
export const REPORT_VERSION = 1;

/** One job in report.json. Holds what the database knows, never a credential. */
export interface ReportJob {
  shot: string;
  take: number;
  key: string;
  state: JobState;
  task_id: string | null;
  attempts: number;
  error_class: ErrorClass | null;
  error_code: string | null;
  error_message: string | null;
  /** Relative to the batch folder. */
  output_path: string | null;
  bytes: number | null;
  sha256: string | null;
  prompt_hash: string;
  credits_reserved: number | null;
  /** Submit-to-final time of the current task. */
  latency_ms: number | null;
  /** Where the clip went after the batch folder (object storage), one entry per target; empty without --deliver. */
  deliveries: ReportDelivery[];
}

/** A job's clip in object storage, as its delivery row says. */
export interface ReportDelivery {
  target: string;
  state: DeliveryRow["state"];
  /** s3://bucket/key. */
  url: string;
  /** What the store verified (base64 SHA-256; "-N" for an object of N parts). */
  checksum: string | null;
  etag: string | null;
  error_message: string | null;
}

export function reportDeliveries(rows: readonly DeliveryRow[]): Map<string, ReportDelivery[]> {
  const byKey = new Map<string, ReportDelivery[]>();
  for (const d of rows) {
    const target = parseTarget(d.target);
    const url = typeof target === "string" ? d.object_key : objectUrl(target, d.object_key);
    const entry = { target: d.target, state: d.state, url, checksum: d.checksum, etag: d.etag, error_message: d.error_message };
    byKey.set(d.key, [...(byKey.get(d.key) ?? []), entry]);
  }
  return byKey;
}

/** The content of report.json. */
export interface Report {
  version: typeof REPORT_VERSION;
  batch: string;
  /** --profile used, null for none. */
  profile: string | null;
  started_at: string;
  ended_at: string;
  interrupted: boolean;
  summary: RunSummary;
  /** Cost per saved clip, attempts per success and policy failures, by mode and by profile. */
  cost: CostBreakdown;
  /** With a credit cap (--max-credits): what the run counts as reserved against it and what it left unsent; null without one. */
  budget: CapOutcome | null;
  jobs: ReportJob[];
}

export interface ReportInput {
  batch: string;
  /** null or "" (the database's spelling) for no profile. */
  profile: string | null;
  jobs: readonly JobRow[];
  /** summarize(jobs, ...) of the same rows; it carries the run's start and end. */
  summary: RunSummary;
  interrupted: boolean;
  /** The batch's delivery rows (Store.listDeliveries). */
  deliveries?: readonly DeliveryRow[];
  /** The batch's rows of each profile in the state file, for the cost by profile; the run's jobs alone when absent. */
  byProfile?: ReadonlyMap<string, readonly JobRow[]>;
  /** With a credit cap. */
  budget?: CapOutcome;
}

function reportJob(job: JobRow, deliveries: ReadonlyMap<string, ReportDelivery[]>): ReportJob {
  return {
    shot: job.shot_id,
    take: job.take,
    key: job.key,
    state: job.state,
    task_id: job.task_id,
    attempts: job.attempts,
    error_class: job.error_class,
    error_code: job.error_code,
    error_message: job.error_message,
    output_path: job.output_path,
    bytes: job.bytes,
    sha256: job.sha256,
    prompt_hash: job.prompt_hash,
    credits_reserved: job.credits_reserved,
    latency_ms: taskLatencyMs(job),
    deliveries: deliveries.get(job.key) ?? [],
  };
}

export function buildReport(input: ReportInput): Report {
  const deliveries = reportDeliveries(input.deliveries ?? []);
  return {
    version: REPORT_VERSION,
    batch: input.batch,
    profile: input.profile === "" ? null : input.profile,
    started_at: new Date(input.summary.started_at_ms).toISOString(),
    ended_at: new Date(input.summary.ended_at_ms).toISOString(),
    interrupted: input.interrupted,
    summary: input.summary,
    cost: costBreakdown(input.jobs, input.byProfile ?? new Map([[input.profile ?? "", input.jobs]])),
    budget: input.budget ?? null,
    jobs: input.jobs.map((job) => reportJob(job, deliveries)),
  };
}

/**
 * Writes report.json so a reader never sees half a file, nor a power cut an
 * empty one: through the durable JSON writer (a temporary file beside it,
 * flushed, renamed over the target, the folder flushed). `disk` is for a
 * test that watches those steps.
 */
export async function writeReport(path: string, report: Report, disk?: Disk): Promise<void> {
  await writeJsonDurably(path, report, disk);
  await removeDeadTemps(path);
}

/**
 * Removes the temporary reports of runs that were killed while writing one
 * (SIGKILL, a power cut): each is named by its run's pid, so no later write
 * replaces it. A temporary file of a process still alive is left alone.
 */
async function removeDeadTemps(path: string): Promise<void> {
  const dir = dirname(path);
  const stem = basename(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const middle = name.startsWith(`${stem}.`) && name.endsWith(".tmp") ? name.slice(stem.length + 1, -".tmp".length) : "";
    const pid = /^\d+$/.test(middle) ? middle : undefined;
    if (pid !== undefined && !isAlive(Number(pid))) await rm(join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
