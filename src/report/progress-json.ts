import type { Writable } from "node:stream";
import type { JobRow } from "../model/rows.js";
import type { Renderer } from "./progress.js";
import { countByState } from "./state-counts.js";

/**
 * One JSON object per line, for machines. Field names are stable; fields
 * without a value are null, never missing. `at` is an ISO 8601 UTC time.
 *
 *   {"event":"run:start","at","batch","profile","total","already_done"}
 *   {"event":"job:state","at","shot","take","key","from","to","task_id","attempts","reason","error_class","error_code","error_message"}
 *   {"event":"job:progress","at","shot","take","key","task_id","progress"}
 *   {"event":"run:notice","at","key","message"}
 *   {"event":"run:end","at","interrupted","total","counts":{"queued":0,...,"cancelled":0}}
 */
export function jsonRenderer(stream: Writable): Renderer {
  const emit = (event: string, atMs: number, fields: Record<string, unknown>): void => {
    stream.write(`${JSON.stringify({ event, at: new Date(atMs).toISOString(), ...fields })}\n`);
  };
  const identity = (job: JobRow) => ({ shot: job.shot_id, take: job.take, key: job.key });

  return {
    handlers: {
      "run:start": (e) => emit("run:start", e.at_ms, { batch: e.batch, profile: e.profile, total: e.total, already_done: e.alreadyDone }),
      "job:state": (e) =>
        emit("job:state", e.at_ms, {
          ...identity(e.job),
          from: e.from,
          to: e.to,
          task_id: e.job.task_id,
          attempts: e.job.attempts,
          reason: e.reason ?? null,
          error_class: e.job.error_class,
          error_code: e.job.error_code,
          error_message: e.job.error_message,
        }),
      "job:progress": (e) => emit("job:progress", e.at_ms, { ...identity(e.job), task_id: e.job.task_id, progress: e.progress }),
      "run:notice": (e) => emit("run:notice", e.at_ms, { key: e.key ?? null, message: e.message }),
      "run:end": (e) => emit("run:end", e.at_ms, { interrupted: e.interrupted, total: e.jobs.length, counts: countByState(e.jobs) }),
    },
    close() {},
  };
}
