import type { RunSummary } from "./summary.js";
import { jobLabel } from "./job-facts.js";
import { counted, noun } from "../text.js";

/** "42 s", "4 min 12 s", "1 h 3 min": wall time at a glance. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Trims float noise: 1.0833 -> "1.08", 2 -> "2". */
export function decimal(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits)));
}

/** "12.5 credits", "1 credit". */
function credits(value: number): string {
  return `${decimal(value)} ${noun(Number(decimal(value)), "credit")}`;
}

function percent(rate: number): string {
  return `${decimal(rate * 100, 1)}%`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}

function outcomes(summary: RunSummary): string {
  const counts = summary.by_state;
  const classes = Object.entries(summary.failures_by_class).map(([cls, n]) => `${cls} ${n}`);
  const failed = `${counts.failed} failed${classes.length > 0 ? ` (${classes.join(", ")})` : ""}`;
  const parts = [`${counts.done} done`, failed, `${counts.expired} expired`];
  if (counts.cancelled > 0) parts.push(`${counts.cancelled} cancelled`);
  if (counts.unknown > 0) parts.push(`${counts.unknown} unknown`);
  // An interrupted run leaves work behind; say how much so a rerun is expected.
  const unfinished = counts.queued + counts.submitting + counts.generating + counts.completed;
  if (unfinished > 0) parts.push(`${unfinished} unfinished`);
  return parts.join(", ");
}

function video(summary: RunSummary): string {
  const { video_seconds_done: done, video_seconds_requested: requested } = summary;
  return done === requested ? `${done} s of video` : `${done} of ${requested} s of video`;
}

function quality(summary: RunSummary): string[] {
  const parts: string[] = [];
  const { p50, p95 } = summary.latency_ms;
  if (p50 !== null && p95 !== null) parts.push(`p50 ${seconds(p50)} p95 ${seconds(p95)}`);
  if (summary.attempts_per_success !== null) parts.push(`${summary.attempts_per_success.toFixed(2)} attempts per success`);
  if (summary.retry_rate !== null) {
    parts.push(`${counted(summary.retries, "retry", "retries")} (${percent(summary.retry_rate)})`);
  }
  if (summary.policy_failure_rate !== null) parts.push(`policy failures ${percent(summary.policy_failure_rate)}`);
  if (summary.credits_per_success !== null) parts.push(`${credits(summary.credits_per_success)} per success`);
  return parts;
}

/**
 * The block printed at the end of a run: plain text, no escape codes, one to
 * three lines.
 *
 *   12 done, 1 failed (policy 1), 0 expired · 60 s of video · 40 credits reserved this run (480 for the batch) · 4 min 12 s
 *   p50 74 s p95 131 s · 1.08 attempts per success · 1 retry (7.1%) · policy failures 7.7% · 40 credits per success
 *   1 left unknown, a task may exist at the API: s03-chase#2
 */
export function formatSummary(summary: RunSummary): string {
  const reserved = `${credits(summary.credits_reserved_this_run)} reserved this run (${decimal(summary.credits_reserved)} for the batch)`;
  const lines = [[outcomes(summary), video(summary), reserved, formatDuration(summary.wall_ms)].join(" · ")];
  const figures = quality(summary);
  if (figures.length > 0) lines.push(figures.join(" · "));
  if (summary.unknown.length > 0) {
    const names = summary.unknown.map((job) => jobLabel({ shot_id: job.shot, take: job.take }));
    lines.push(`${summary.unknown.length} left unknown, a task may exist at the API: ${names.join(", ")}`);
  }
  return lines.join("\n");
}
