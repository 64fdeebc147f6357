import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeJsonDurably, type Disk } from "../download/index.js";
import type { DeliveryRow } from "../model/index.js";
import type { JobRow } from "../model/rows.js";
import type { CapOutcome } from "../runner/budget.js";
import { costBreakdown, type CostBreakdown } from "./cost.js";
import { deliveriesByKey, jobJson, profileJson, SCHEMA_VERSION, type JobJson } from "./json-schema.js";
import type { RunSummary } from "./summary.js";

/** The content of report.json. */
export interface Report {
  schema_version: typeof SCHEMA_VERSION;
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
  jobs: JobJson[];
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

export function buildReport(input: ReportInput): Report {
  const deliveries = deliveriesByKey(input.deliveries ?? []);
  return {
    schema_version: SCHEMA_VERSION,
    batch: input.batch,
    profile: profileJson(input.profile),
    started_at: new Date(input.summary.started_at_ms).toISOString(),
    ended_at: new Date(input.summary.ended_at_ms).toISOString(),
    interrupted: input.interrupted,
    summary: input.summary,
    cost: costBreakdown(input.jobs, input.byProfile ?? new Map([[input.profile ?? "", input.jobs]])),
    budget: input.budget ?? null,
    jobs: input.jobs.map((job) => jobJson(job, deliveries)),
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
