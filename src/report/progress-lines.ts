import type { RunnerEventMap } from "../runner/events.js";
import { jobLabel } from "./job-facts.js";
import { printable } from "../text.js";

/** "2026-11-23T09:12:01Z": second precision reads better in logs than milliseconds. */
export function isoSeconds(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * "s02-detective#1 generating -> failed (task task-1; policy content_policy_violation; failed): the prompt was refused".
 * A job that fails or becomes unknown says why at that moment, in the API's own words (already sanitised by the client).
 */
export function stateChangeLine(event: RunnerEventMap["job:state"]): string {
  const { job } = event;
  const details: string[] = [];
  if (job.task_id !== null) details.push(`task ${job.task_id}`);
  if (event.to === "failed" && job.error_class !== null) {
    details.push(job.error_code === null ? job.error_class : `${job.error_class} ${job.error_code}`);
  }
  if (event.reason !== undefined) details.push(event.reason);
  const suffix = details.length > 0 ? ` (${details.join("; ")})` : "";
  const why = (event.to === "failed" || event.to === "unknown") && job.error_message !== null ? `: ${job.error_message}` : "";
  return `${jobLabel(job)} ${event.from} -> ${event.to}${suffix}${why}`;
}

/** "notice: slowing down after 429 [s02-detective#1]": names the job when the notice has one. A notice may quote a path. */
export function noticeLine(event: RunnerEventMap["run:notice"], labelOf: (key: string) => string): string {
  const message = printable(event.message);
  return event.key === undefined ? `notice: ${message}` : `notice: ${message} [${labelOf(event.key)}]`;
}
