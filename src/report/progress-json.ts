import type { Writable } from "node:stream";
import type { JobRow } from "../model/rows.js";
import { jsonLine, profileJson, SCHEMA_VERSION, type RunEventJson } from "./json-schema.js";
import type { Renderer } from "./progress.js";
import { countByState } from "./state-counts.js";

type EventBody = RunEventJson extends infer E ? (E extends RunEventJson ? Omit<E, "schema_version" | "at"> : never) : never;

/** One JSON object per line, for machines: the run events of json-schema.ts (RunEventJson). */
export function jsonRenderer(stream: Writable): Renderer {
  const emit = (atMs: number, body: EventBody): void => {
    stream.write(jsonLine({ schema_version: SCHEMA_VERSION, at: new Date(atMs).toISOString(), ...body }));
  };
  const identity = (job: JobRow) => ({ shot: job.shot_id, take: job.take, key: job.key });

  return {
    handlers: {
      "run:start": (e) => emit(e.at_ms, { event: "run:start", batch: e.batch, profile: profileJson(e.profile), total: e.total, already_done: e.alreadyDone }),
      "job:state": (e) =>
        emit(e.at_ms, {
          event: "job:state",
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
      "job:progress": (e) => emit(e.at_ms, { event: "job:progress", ...identity(e.job), task_id: e.job.task_id, progress: e.progress }),
      "run:notice": (e) => emit(e.at_ms, { event: "run:notice", key: e.key ?? null, message: e.message }),
      "api:unreachable": (e) => emit(e.at_ms, { event: "api:unreachable", message: e.message, retry_window_ms: e.retry_window_ms }),
      "api:reachable": (e) => emit(e.at_ms, { event: "api:reachable", unreachable_ms: e.unreachable_ms }),
      "run:end": (e) => emit(e.at_ms, { event: "run:end", interrupted: e.interrupted, total: e.jobs.length, counts: countByState(e.jobs) }),
    },
    close() {},
  };
}
