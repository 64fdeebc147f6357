import type { Writable } from "node:stream";
import { PassThrough } from "node:stream";
import type { RunnerEmitter } from "../../src/runner/emitter.js";
import type { EventKind, JobRow } from "../../src/model/rows.js";
import { makeJobRow } from "../helpers/job-rows.js";

export const T0 = Date.UTC(2026, 10, 23, 9, 12, 0);

/** A stream that keeps what was written, for asserting on a display's output. */
export function captureStream(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

/** Resolves once everything written before end() has been read. */
export function finish(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(resolve));
}

/**
 * A small run as the runner would narrate it: two jobs, one saved, one
 * refused on policy, a notice in between. Six state changes in all.
 */
export function playRun(emitter: RunnerEmitter): void {
  const first = makeJobRow({ key: "k1", shot_id: "s01-opening", attempts: 1 });
  const second = makeJobRow({ key: "k2", shot_id: "s02-detective", attempts: 1 });
  const at = (s: number) => T0 + s * 1_000;
  const move = (job: JobRow, from: JobRow["state"], to: JobRow["state"], s: number, extra: Partial<JobRow> = {}, reason?: EventKind) => {
    const row = { ...job, ...extra, state: to };
    emitter.emit("job:state", { job: row, from, to, at_ms: at(s), ...(reason === undefined ? {} : { reason }) });
    return row;
  };

  emitter.emit("run:start", { batch: "trailer", profile: "draft", total: 2, alreadyDone: 0, at_ms: at(0) });
  let a = move(first, "queued", "submitting", 1);
  let b = move(second, "queued", "submitting", 1);
  a = move(a, "submitting", "generating", 2, { task_id: "task-unified-1" });
  b = move(b, "submitting", "generating", 2, { task_id: "task-unified-2" });
  emitter.emit("job:progress", { job: a, progress: 40, at_ms: at(3) });
  emitter.emit("run:notice", { message: "slowing down after 429", key: "k2", at_ms: at(4) });
  b = move(b, "generating", "failed", 5, { error_class: "policy", error_code: "content_policy_violation" }, "failed");
  a = move(a, "generating", "completed", 6);
  a = move(a, "completed", "done", 7, { output_path: "s01-opening_1.mp4" });
  emitter.emit("run:end", { jobs: [a, b], interrupted: false, at_ms: at(8) });
}
