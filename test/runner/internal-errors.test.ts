/**
 * shotlist's own failures during a run (a bug, a store that refuses a write):
 * the run ends at once and loudly, and no task the API created is lost to it.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import type { RequestStep } from "../../src/runner/send-request.js";
import type { JobChange, Store } from "../../src/store/index.js";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import { createsPerJob, recoveryPathOf, startHarness, type Harness } from "./harness.js";

let harness: Harness;
afterEach(async () => harness?.close());

/** The real store, but every commit that records a task id fails as a full disk would. */
function refusingTaskIds(store: Store): Store {
  return {
    ...store,
    lease: store.lease,
    commit(changes: readonly JobChange[]) {
      if (changes.some((c) => c.move?.to === "generating")) throw Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
      return store.commit(changes);
    },
  };
}

describe("a store that refuses to record a task id", () => {
  it("ends the run with an internal error that names the task, instead of carrying on", async () => {
    harness = await startHarness();

    const run = harness.run(makeBatch(1), {}, { store: refusingTaskIds });

    await expect(run).rejects.toThrow(
      expect.objectContaining({ code: "internal", message: expect.stringMatching(/database or disk is full[\s\S]*s1#1 task-/) }),
    );
    expect(harness.sim.ledger.creates).toHaveLength(1);
  });

  it("writes the task id to the recovery note, and the next run follows that task instead of paying for a new one", async () => {
    harness = await startHarness();
    await harness.run(makeBatch(1), {}, { store: refusingTaskIds }).catch(() => undefined);
    const note = JSON.parse(readFileSync(recoveryPathOf(harness.statePath), "utf8")) as { tasks: { key: string; task_id: string }[] };
    const [created] = harness.sim.ledger.creates;

    const rerun = await harness.run(makeBatch(1));

    expect(note.tasks).toEqual([expect.objectContaining({ key: "job-1", task_id: created?.taskId })]);
    expect(rerun.jobs.map((j) => [j.state, j.task_id])).toEqual([["done", created?.taskId]]);
    expect([...createsPerJob(harness.sim).values()]).toEqual([1]);
    expect(existsSync(recoveryPathOf(harness.statePath))).toBe(false);
  });
});

describe("a bug inside an answer's handler", () => {
  it("ends the run with the error, not a notice, and keeps what the other answers recorded", async () => {
    harness = await startHarness();
    const emitter = new RunnerEmitter();
    // [never]: the tasks keep processing, so every poll reports progress.
    const batch = makeBatch(0, { jobs: [1, 2].map((n) => makeJob(n, { request: makeRequest({ prompt: `[never] shot ${n}` }) })) });
    emitter.on("job:progress", () => {
      throw new Error("the display broke");
    });

    const run = harness.run(batch, {}, { emitter });

    await expect(run).rejects.toThrow(expect.objectContaining({ code: "internal", message: expect.stringContaining("the display broke") }));
    expect(
      harness
        .store()
        .listJobs("trailer", "")
        .map((j) => [j.state, j.task_id !== null]),
    ).toEqual([
      ["generating", true],
      ["generating", true],
    ]);
  });
});

describe("a create that fails inside shotlist before it is sent", () => {
  it("sends nothing, leaves the job queued rather than unknown, and ends the run", async () => {
    harness = await startHarness();
    const broken = () => {
      throw new TypeError("a send-time step broke");
    };

    const run = harness.run(makeBatch(2), { sendTime: [broken] });

    await expect(run).rejects.toThrow(expect.objectContaining({ code: "internal", message: expect.stringContaining("a send-time step broke") }));
    expect(harness.sim.ledger.creates).toHaveLength(0);
    expect(
      harness
        .store()
        .listJobs("trailer", "")
        .map((j) => j.state),
    ).toEqual(["queued", "queued"]);
  });
});

describe("send-time additions to a create", () => {
  it("reach the API without changing what the job stores or its key", async () => {
    harness = await startHarness();
    const withCallback: RequestStep = (request) => ({ ...request, callback_url: "https://hooks.example.com/shotlist" });

    const outcome = await harness.run(makeBatch(1), { sendTime: [withCallback] });

    expect(harness.sim.ledger.creates.map((c) => (c.body as { callback_url?: string }).callback_url)).toEqual(["https://hooks.example.com/shotlist"]);
    expect(outcome.jobs[0]).toMatchObject({ key: "job-1", state: "done" });
    expect(JSON.parse(outcome.jobs[0]?.request_json ?? "{}")).not.toHaveProperty("callback_url");
  });
});
