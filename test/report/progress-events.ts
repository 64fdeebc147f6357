import type { Writable } from "node:stream";
import { PassThrough } from "node:stream";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { createProgressReporter, type ProgressMode } from "../../src/report/progress.js";
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

/** Plays a recorded run through a reporter in `mode` (a terminal of 120 columns for tty), stops it, and returns all it wrote. */
export async function outputOf(mode: ProgressMode, play: (emitter: RunnerEmitter) => void = playRun): Promise<string> {
  const { stream, text } = captureStream();
  if (mode === "tty") Object.assign(stream, { isTTY: true, columns: 120 });
  const emitter = new RunnerEmitter();
  const reporter = createProgressReporter({ stream, mode });
  reporter.attach(emitter);
  play(emitter);
  reporter.stop();
  await finish(stream);
  return text();
}

/** A job's moves as the runner tells them, each a second after T0 times `s`. */
function mover(emitter: RunnerEmitter) {
  return (job: JobRow, from: JobRow["state"], to: JobRow["state"], s: number, extra: Partial<JobRow> = {}, reason?: EventKind): JobRow => {
    const row = { ...job, ...extra, state: to };
    emitter.emit("job:state", { job: row, from, to, at_ms: T0 + s * 1_000, ...(reason === undefined ? {} : { reason }) });
    return row;
  };
}

/**
 * A small run as the runner would narrate it: two jobs, one saved, one
 * refused on policy, a notice in between. Six state changes in all.
 */
export function playRun(emitter: RunnerEmitter): void {
  const first = makeJobRow({ key: "k1", shot_id: "s01-opening", attempts: 1 });
  const second = makeJobRow({ key: "k2", shot_id: "s02-detective", attempts: 1 });
  const at = (s: number) => T0 + s * 1_000;
  const move = mover(emitter);

  emitter.emit("run:start", { batch: "trailer", profile: "draft", total: 2, alreadyDone: 0, at_ms: at(0) });
  let a = move(first, "queued", "submitting", 1);
  let b = move(second, "queued", "submitting", 1);
  a = move(a, "submitting", "generating", 2, { task_id: "task-unified-1" });
  b = move(b, "submitting", "generating", 2, { task_id: "task-unified-2" });
  emitter.emit("job:progress", { job: a, progress: 40, at_ms: at(3) });
  emitter.emit("run:notice", { message: "slowing down after 429", key: "k2", at_ms: at(4) });
  b = move(b, "generating", "failed", 5, { error_class: "policy", error_code: "content_policy_violation", error_message: "the prompt was refused" }, "failed");
  a = move(a, "generating", "completed", 6);
  a = move(a, "completed", "done", 7, { output_path: "s01-opening_1.mp4" });
  emitter.emit("run:end", { jobs: [a, b], interrupted: false, at_ms: at(8) });
}

/**
 * A run during an outage: two jobs whose creates fail for want of the API,
 * three retries each, then the API answers and one job is refused as invalid.
 */
export function playOutage(emitter: RunnerEmitter): void {
  const move = mover(emitter);
  let a = makeJobRow({ key: "k1", shot_id: "s01" });
  let b = makeJobRow({ key: "k2", shot_id: "s02" });
  emitter.emit("run:start", { batch: "night", profile: "", total: 2, alreadyDone: 0, at_ms: T0 });
  a = move(a, "queued", "submitting", 1, {}, "submit");
  b = move(b, "queued", "submitting", 1, {}, "submit");
  emitter.emit("api:unreachable", { message: "getaddrinfo ENOTFOUND api.evolink.ai", retry_window_ms: 300_000, at_ms: T0 + 1_000 });
  for (let retry = 0; retry < 3; retry++) {
    for (const job of [a, b]) {
      const waiting = move(
        job,
        "submitting",
        "queued",
        2 + retry,
        { error_class: "transient", error_message: "getaddrinfo ENOTFOUND api.evolink.ai" },
        "create-transient",
      );
      move(waiting, "queued", "submitting", 3 + retry, {}, "submit");
    }
  }
  emitter.emit("api:reachable", { unreachable_ms: 61_000, at_ms: T0 + 62_000 });
  a = move(a, "submitting", "generating", 62, { task_id: "task-1", error_class: null, error_message: null }, "created");
  const invalid = { error_class: "invalid", error_code: "invalid_parameter", error_message: 'quality must be one of 480p, 720p, got "1080P"' } as const;
  b = move(b, "submitting", "failed", 62, invalid, "create-invalid");
  emitter.emit("run:end", { jobs: [a, b], interrupted: false, at_ms: T0 + 63_000 });
}
