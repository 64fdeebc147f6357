/**
 * What the outputs cost, as a production integration tracks it: credits per
 * saved clip (every task that was not failed is counted: failed tasks are
 * not billed), create requests per saved clip and the share of policy
 * failures, for the whole batch, by mode and by profile.
 */
import type { JobRow, Mode } from "../model/rows.js";

export interface CostFigures {
  jobs: number;
  done: number;
  /** Reservations of the jobs' current tasks that did not fail. */
  credits: number;
  /** credits / done. */
  credits_per_success: number | null;
  attempts_per_success: number | null;
  policy_failure_rate: number | null;
}

export interface CostBreakdown {
  by_mode: Partial<Record<Mode, CostFigures>>;
  /** By --profile, "" for none: every profile the state file holds for the batch. */
  by_profile: Record<string, CostFigures>;
}

export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** Create requests per saved output: sum of attempts of done jobs / done jobs. */
export function attemptsPerSuccess(jobs: readonly JobRow[]): number | null {
  const done = jobs.filter((job) => job.state === "done");
  return ratio(
    sum(done, (job) => job.attempts),
    done.length,
  );
}

/** Policy failures / jobs whose task reached a final answer at the API (finished_at_ms), or was refused on policy at create. */
export function policyFailureRate(jobs: readonly JobRow[]): number | null {
  const policy = jobs.filter((job) => job.error_class === "policy").length;
  return ratio(policy, jobs.filter((job) => job.finished_at_ms !== null || job.error_class === "policy").length);
}

/** Credits the jobs' current tasks hold or were billed: every state but failed. */
export function creditsNotFailed(jobs: readonly JobRow[]): number {
  return sum(
    jobs.filter((job) => job.state !== "failed"),
    (job) => job.credits_reserved ?? 0,
  );
}

export function costOf(jobs: readonly JobRow[]): CostFigures {
  const done = jobs.filter((job) => job.state === "done").length;
  const credits = creditsNotFailed(jobs);
  return {
    jobs: jobs.length,
    done,
    credits,
    credits_per_success: ratio(credits, done),
    attempts_per_success: attemptsPerSuccess(jobs),
    policy_failure_rate: policyFailureRate(jobs),
  };
}

/** `jobs`: the run's; `byProfile`: the batch's rows of each profile in the state file. */
export function costBreakdown(jobs: readonly JobRow[], byProfile: ReadonlyMap<string, readonly JobRow[]>): CostBreakdown {
  const modes = new Map<Mode, JobRow[]>();
  for (const job of jobs) modes.set(job.mode, [...(modes.get(job.mode) ?? []), job]);
  return {
    by_mode: Object.fromEntries([...modes].map(([mode, rows]) => [mode, costOf(rows)])),
    by_profile: Object.fromEntries([...byProfile].map(([profile, rows]) => [profile, costOf(rows)])),
  };
}
