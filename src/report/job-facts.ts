import type { JobRow } from "../model/rows.js";

/** How a job is named to people: shot id and take, e.g. `s02-detective#1`. */
export function jobLabel(job: Pick<JobRow, "shot_id" | "take">): string {
  return `${job.shot_id}#${job.take}`;
}

/** Submit-to-final time of the current task, or null while either end is unknown. */
export function taskLatencyMs(job: Pick<JobRow, "submitted_at_ms" | "finished_at_ms">): number | null {
  if (job.submitted_at_ms === null || job.finished_at_ms === null) return null;
  return job.finished_at_ms - job.submitted_at_ms;
}

/**
 * Seconds of video the job asks for (CreateRequest.duration). A row whose
 * request cannot be read counts 0 rather than throwing: reports are written at
 * the end of a paid run and must not be lost to one bad row.
 */
export function requestedSeconds(job: Pick<JobRow, "request_json">): number {
  try {
    const request: unknown = JSON.parse(job.request_json);
    if (typeof request === "object" && request !== null && "duration" in request && typeof request.duration === "number") {
      return request.duration;
    }
  } catch {
    // fall through: unreadable counts as nothing requested
  }
  return 0;
}
