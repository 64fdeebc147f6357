import { describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { createProgressReporter } from "../../src/report/progress.js";
import { captureStream, finish, outputOf, playRun, T0 } from "./progress-events.js";

const ESC = /\x1b/;
const outputOfRun = (mode: "plain" | "json") => outputOf(mode);

describe("plain progress", () => {
  it("writes one timestamped line per state change, notice, start and end", async () => {
    expect((await outputOfRun("plain")).split("\n")).toEqual([
      "2026-11-23T09:12:00Z run start: batch trailer (profile draft), 2 jobs, 0 already done",
      "2026-11-23T09:12:01Z s01-opening#1 queued -> submitting",
      "2026-11-23T09:12:01Z s02-detective#1 queued -> submitting",
      "2026-11-23T09:12:02Z s01-opening#1 submitting -> generating (task task-unified-1)",
      "2026-11-23T09:12:02Z s02-detective#1 submitting -> generating (task task-unified-2)",
      "2026-11-23T09:12:04Z notice: slowing down after 429 [s02-detective#1]",
      "2026-11-23T09:12:05Z s02-detective#1 failed: the prompt was refused (task task-unified-2; content_policy_violation; reword the prompt or change the input; not resent as is)",
      "2026-11-23T09:12:06Z s01-opening#1 generating -> completed (task task-unified-1)",
      "2026-11-23T09:12:07Z s01-opening#1 completed -> done (task task-unified-1)",
      "2026-11-23T09:12:08Z run end: 2 jobs",
      "",
    ]);
  });

  it("contains no escape codes", async () => {
    const output = await outputOfRun("plain");
    expect(output).toContain("s02-detective#1 failed");
    expect(output).not.toMatch(ESC);
  });

  it("writes nothing after stop", async () => {
    const { stream, text } = captureStream();
    const emitter = new RunnerEmitter();
    const reporter = createProgressReporter({ stream, mode: "plain" });
    reporter.attach(emitter);
    emitter.emit("run:notice", { message: "before the stop", at_ms: T0 });
    reporter.stop();
    playRun(emitter);
    await finish(stream);
    expect(text()).toBe("2026-11-23T09:12:00Z notice: before the stop\n");
  });
});

describe("json progress", () => {
  it("writes one valid JSON object per line with stable fields", async () => {
    const lines = (await outputOfRun("json")).trimEnd().split("\n");
    const objects = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects.map((o) => o["event"])).toEqual([
      "run:start",
      ...Array<string>(4).fill("job:state"),
      "job:progress",
      "run:notice",
      ...Array<string>(3).fill("job:state"),
      "run:end",
    ]);
    expect(objects[6]).toEqual({ schema_version: 2, event: "run:notice", at: "2026-11-23T09:12:04.000Z", key: "k2", message: "slowing down after 429" });
    expect(objects[7]).toEqual({
      schema_version: 2,
      event: "job:state",
      at: "2026-11-23T09:12:05.000Z",
      shot: "s02-detective",
      take: 1,
      key: "k2",
      from: "generating",
      to: "failed",
      task_id: "task-unified-2",
      attempts: 1,
      reason: "failed",
      error_class: "policy",
      error_code: "content_policy_violation",
      error_message: "the prompt was refused",
    });
    expect(objects[10]).toMatchObject({ event: "run:end", interrupted: false, total: 2, counts: { done: 1, failed: 1, queued: 0 } });
  });
});

describe("tty progress", () => {
  it("drives a cli-progress bar into a terminal stream and ends cleanly", async () => {
    const { stream, text } = captureStream();
    Object.assign(stream, { isTTY: true, columns: 120 });
    const emitter = new RunnerEmitter();
    const reporter = createProgressReporter({ stream, mode: "tty" });
    reporter.attach(emitter);
    playRun(emitter);
    reporter.stop();
    reporter.stop();
    await finish(stream);
    const output = text();
    expect(output).toContain("2/2 finished | 1 done, 1 failed");
    expect(output).toContain("s02-detective#1 failed: the prompt was refused");
    expect(output).toContain("notice: slowing down after 429 [s02-detective#1]");
  });

  it("stops cleanly when the run never started", async () => {
    const { stream, text } = captureStream();
    Object.assign(stream, { isTTY: true });
    const reporter = createProgressReporter({ stream, mode: "tty" });
    reporter.attach(new RunnerEmitter());
    reporter.stop();
    await finish(stream);
    expect(text()).toBe("");
  });
});
