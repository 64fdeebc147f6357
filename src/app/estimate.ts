/**
 * The estimate of what a run will send, as `plan` prints it and `run` says it
 * before its first create: per job, from the rates the batch's earlier tasks
 * reserved where there are some, else from public default prices; with the
 * public figure beside, so the difference shows.
 */
import type { Job } from "../manifest/job.js";
import { creditsCount, creditsText, ObservedRates, publicCredits, type Estimate } from "../manifest/estimate.js";
import { counted } from "../text.js";
import type { JobRow } from "../model/rows.js";

export interface JobEstimate {
  job: Job;
  estimate: Estimate;
  /** At public default prices, undefined when the model has none. */
  publicCredits: number | undefined;
}

export interface SendEstimate {
  jobs: JobEstimate[];
  /** Sum over the jobs with an estimate. */
  credits: number;
  /** The same jobs at public default prices (a job with an observed rate and no public price counts its observed estimate). */
  publicCredits: number;
  /** Jobs priced from observed rates. */
  observed: number;
  /** Models of the jobs with no estimate at all. */
  unpricedModels: string[];
  unpriced: number;
}

/** `rows`: the batch's rows in the state, whose reservations give the observed rates. */
export function estimateSend(jobs: readonly Job[], rows: readonly JobRow[]): SendEstimate {
  const rates = ObservedRates.fromRows(rows);
  const each = jobs.map((job): JobEstimate => ({ job, estimate: rates.estimate(job.request), publicCredits: publicCredits(job.request) }));
  const priced = each.filter((e) => e.estimate.credits !== undefined);
  const unpriced = each.filter((e) => e.estimate.credits === undefined);
  return {
    jobs: each,
    credits: priced.reduce((sum, e) => sum + (e.estimate.credits ?? 0), 0),
    publicCredits: priced.reduce((sum, e) => sum + (e.publicCredits ?? e.estimate.credits ?? 0), 0),
    observed: priced.filter((e) => e.estimate.from === "observed").length,
    unpricedModels: [...new Set(unpriced.map((e) => e.job.request.model))],
    unpriced: unpriced.length,
  };
}

/** "about 81.8 credits": how each estimate is written. */
export function aboutCredits(credits: number): string {
  return `about ${creditsCount(credits)}`;
}

/**
 * The estimate in one line, labelled by where it comes from:
 * `estimate: about 81.8 credits for 5 jobs, from public default prices (accounts may pay other prices)`;
 * `estimate: about 90.2 credits for 5 jobs, from the rates this batch's earlier tasks reserved (public default prices: about 81.8, +8.4)`.
 */
export function estimateLine(estimate: SendEstimate): string {
  const sent = estimate.jobs.length - estimate.unpriced;
  const jobs = counted(sent, "job");
  const diff = estimate.credits - estimate.publicCredits;
  const from =
    estimate.observed === 0
      ? "from public default prices (accounts may pay other prices)"
      : `from the rates this batch's earlier tasks reserved${estimate.observed < sent ? ` (${estimate.observed} of them; public default prices for the rest)` : ""} (public default prices: ${aboutCredits(estimate.publicCredits)}, ${diff >= 0 ? "+" : "-"}${creditsText(Math.abs(diff))})`;
  const none = estimate.unpriced === 0 ? "" : `; ${estimate.unpriced} more with no estimate (no known price for ${estimate.unpricedModels.join(", ")})`;
  return `estimate: ${aboutCredits(estimate.credits)} for ${jobs}, ${from}${none}`;
}
