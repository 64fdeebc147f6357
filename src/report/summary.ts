import type { ErrorClass, JobRow } from "../model/rows.js";
import type { JobState } from "../model/states.js";
import { attemptsPerSuccess, policyFailureRate, ratio, sum } from "./cost.js";
import { percentile } from "./percentile.js";
import { countByState, type StateCounts } from "./state-counts.js";
import { requestedSeconds, taskLatencyMs } from "./job-facts.js";

/** A job left in `unknown`: its create may have reached the API with no answer back. */
export interface UnknownJob {
  shot: string;
  take: number;
  key: string;
}

/**
 * The figures of a run, as the guide asks a production integration to track
 * them. Field names are report.json's (snake_case like the database columns),
 * so the report embeds this object as is. Ratios are null when their
 * denominator is zero.
 */
export interface RunSummary {
  total: number;
  by_state: StateCounts;
  /** Jobs in state `failed`, by why. */
  failures_by_class: Partial<Record<ErrorClass, number>>;
  /** Create requests sent, over all runs. */
  attempts: number;
  /** Create requests beyond each job's first. */
  retries: number;
  /** retries / attempts. */
  retry_rate: number | null;
  /** Create requests per saved output: sum of attempts of done jobs / done jobs. */
  attempts_per_success: number | null;
  /** Policy failures / jobs whose task reached a final answer at the API (or was refused on policy). */
  policy_failure_rate: number | null;
  /** Submit-to-complete time of completed and done jobs, nearest-rank percentiles. */
  latency_ms: { p50: number | null; p95: number | null; samples: number };
  /** Seconds of video saved (done jobs) and asked for (all jobs). */
  video_seconds_done: number;
  video_seconds_requested: number;
  /** Credits reserved by the current task of every job of the batch, whichever run created it. */
  credits_reserved: number;
  /** Of those, the tasks this run created (submitted since it started): what this run spent. */
  credits_reserved_this_run: number;
  /**
   * Credits of every task the API completed (billed whether or not its file
   * was saved) per saved output: the guide budgets cost per success, not per attempt.
   */
  credits_per_success: number | null;
  unknown: UnknownJob[];
  started_at_ms: number;
  ended_at_ms: number;
  wall_ms: number;
}

/** States whose task the API completed, so its credits were spent. */
const BILLED: ReadonlySet<JobState> = new Set(["completed", "done", "expired"]);
const LATENCY_STATES: ReadonlySet<JobState> = new Set(["completed", "done"]);

export function summarize(jobs: readonly JobRow[], options: { startedAtMs: number; endedAtMs: number }): RunSummary {
  const done = jobs.filter((job) => job.state === "done");
  const failed = jobs.filter((job) => job.state === "failed");

  const failuresByClass: Partial<Record<ErrorClass, number>> = {};
  for (const job of failed) {
    const cls = job.error_class ?? "unknown";
    failuresByClass[cls] = (failuresByClass[cls] ?? 0) + 1;
  }

  const attempts = sum(jobs, (job) => job.attempts);
  const retries = sum(jobs, (job) => Math.max(0, job.attempts - 1));

  const latencies = jobs
    .filter((job) => LATENCY_STATES.has(job.state))
    .map(taskLatencyMs)
    .filter((ms): ms is number => ms !== null);

  const creditsOf = (job: JobRow): number => job.credits_reserved ?? 0;

  return {
    total: jobs.length,
    by_state: countByState(jobs),
    failures_by_class: failuresByClass,
    attempts,
    retries,
    retry_rate: ratio(retries, attempts),
    attempts_per_success: attemptsPerSuccess(jobs),
    policy_failure_rate: policyFailureRate(jobs),
    latency_ms: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), samples: latencies.length },
    video_seconds_done: sum(done, requestedSeconds),
    video_seconds_requested: sum(jobs, requestedSeconds),
    credits_reserved: sum(jobs, creditsOf),
    credits_reserved_this_run: sum(
      jobs.filter((job) => job.submitted_at_ms !== null && job.submitted_at_ms >= options.startedAtMs),
      creditsOf,
    ),
    credits_per_success: ratio(
      sum(
        jobs.filter((job) => BILLED.has(job.state)),
        creditsOf,
      ),
      done.length,
    ),
    unknown: jobs.filter((job) => job.state === "unknown").map((job) => ({ shot: job.shot_id, take: job.take, key: job.key })),
    started_at_ms: options.startedAtMs,
    ended_at_ms: options.endedAtMs,
    wall_ms: options.endedAtMs - options.startedAtMs,
  };
}
