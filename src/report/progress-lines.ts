import type { ErrorClass } from "../model/rows.js";
import type { RunnerEventMap } from "../runner/events.js";
import { jobLabel } from "./job-facts.js";
import { printable } from "../text.js";

/** "2026-11-23T09:12:01Z": second precision reads better in logs than milliseconds. */
export function isoSeconds(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * "s02-detective#1 generating -> completed (task task-1)"; a failure reads as failureLine does.
 * A job that becomes unknown says why at that moment, in the API's own words.
 */
export function stateChangeLine(event: RunnerEventMap["job:state"]): string {
  const { job } = event;
  if (event.to === "failed") return failureLine(job);
  const details: string[] = [];
  if (job.task_id !== null) details.push(`task ${job.task_id}`);
  if (event.reason !== undefined) details.push(event.reason);
  const suffix = details.length > 0 ? ` (${details.join("; ")})` : "";
  const why = event.to === "unknown" && job.error_message !== null ? `: ${printable(job.error_message)}` : "";
  return `${jobLabel(job)} ${event.from} -> ${event.to}${suffix}${why}`;
}

/** What to do about a failure of each class, since the runner leaves a failed job alone unless told. */
const WHAT_NOW: Partial<Record<ErrorClass, string>> = {
  invalid: "not resent as is",
  policy: "reword the prompt or change the input; not resent as is",
};

/**
 * `s03#1 failed: quality must be one of 480p, 720p, 1080p, got "1080P" (invalid_parameter; not resent as is)`:
 * the shot, the API's own words (report.json's `error_message`), its code, and what would send it again.
 */
export function failureLine(job: RunnerEventMap["job:state"]["job"]): string {
  const details: string[] = [];
  if (job.task_id !== null) details.push(`task ${job.task_id}`);
  const code = job.error_code ?? job.error_class;
  if (code !== null) details.push(code);
  if (job.error_class !== null) details.push(WHAT_NOW[job.error_class] ?? `--retry-failed=${job.error_class} sends it again`);
  const why = job.error_message === null ? "" : `: ${printable(job.error_message)}`;
  const suffix = details.length > 0 ? ` (${details.join("; ")})` : "";
  return `${jobLabel(job)} failed${why}${suffix}`;
}

/** "API unreachable: ... ECONNREFUSED 127.0.0.1:9; creates are retried for up to 300 s (--retry-window)": once per outage. */
export function unreachableLine(event: RunnerEventMap["api:unreachable"]): string {
  return `API unreachable: ${printable(event.message)}; creates are retried for up to ${Math.round(event.retry_window_ms / 1000)} s (--retry-window)`;
}

/** "API reachable again after 42 s". */
export function reachableLine(event: RunnerEventMap["api:reachable"]): string {
  return `API reachable again after ${Math.round(event.unreachable_ms / 1000)} s`;
}

/** "notice: slowing down after 429 [s02-detective#1]": names the job when the notice has one. A notice may quote a path. */
export function noticeLine(event: RunnerEventMap["run:notice"], labelOf: (key: string) => string): string {
  const message = printable(event.message);
  return event.key === undefined ? `notice: ${message}` : `notice: ${message} [${labelOf(event.key)}]`;
}
