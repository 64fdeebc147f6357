/**
 * A create whose answer was lost may have made a task. An unreadable 2xx is
 * never sent again in its run; where the API lists the account's tasks, the
 * run looks there first and adopts the one task that can only be the job's.
 * Against the simulator over real sockets, counted from its ledger.
 */
import { afterEach, describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import type { SimOptions } from "../../src/sim/options.js";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import type { Handler } from "../helpers/scripted-server.js";
import { answer, useFakeApi, type FakeApi } from "../faults/fake-api.js";
import { useRunner } from "../faults/runner.js";
import { createsPerJob, startHarness, type Harness } from "./harness.js";

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

async function harnessWith(options: Partial<SimOptions>): Promise<Harness> {
  const harness = await startHarness(options);
  harnesses.push(harness);
  return harness;
}

/** Runs the batch, collecting the run's notices. */
async function runCollecting(h: Harness, batch = makeBatch(3), overrides = {}): Promise<{ states: string[]; notices: string[] }> {
  const emitter = new RunnerEmitter();
  const notices: string[] = [];
  emitter.on("run:notice", (e) => notices.push(e.message));
  const outcome = await h.run(batch, overrides, { emitter });
  return { states: outcome.jobs.map((j) => j.state), notices };
}

/** Tasks the simulator made that no job of the batch ever followed: paid for, unseen. */
function orphans(h: Harness): string[] {
  const followed = new Set<string>();
  for (const e of h.store().listEvents("trailer", "")) {
    if (e.to_state === "generating") followed.add((JSON.parse(e.detail_json ?? "{}") as { task_id: string }).task_id);
  }
  return h.sim.ledger.creates.flatMap((c) => (c.taskId !== null && !c.replayed && !followed.has(c.taskId) ? [c.taskId] : []));
}

describe("a create answered 2xx with a body that cannot be read", () => {
  it("is found in the task list and adopted: one create per job, every job done with its own task", async () => {
    const h = await harnessWith({ unreadableRate: 1, taskListing: true });
    const { states, notices } = await runCollecting(h, makeBatch(3), { concurrency: 1 });

    expect(states).toEqual(["done", "done", "done"]);
    expect([...createsPerJob(h.sim).values()]).toEqual([1, 1, 1]);
    expect(h.sim.ledger.faults.filter((f) => f.kind === "unreadable")).toHaveLength(3);
    const madeFor = new Map(h.sim.ledger.creates.map((c) => [c.taskId, c.idempotencyKey]));
    for (const job of h.store().listJobs("trailer", "")) expect(madeFor.get(job.task_id)).toBe(`shotlist-${job.key}-0`);
    expect(notices.filter((n) => n.startsWith("adopted task"))).toHaveLength(3);
    const adopted = h
      .store()
      .listEvents("trailer", "")
      .filter((e) => e.kind === "adopted");
    expect(adopted.map((e) => JSON.parse(e.detail_json ?? "{}") as { by: string })).toEqual([
      expect.objectContaining({ by: "task-list" }),
      expect.objectContaining({ by: "task-list" }),
      expect.objectContaining({ by: "task-list" }),
    ]);
  });

  it("stays unknown with its one create when the API offers no task list, which is asked once for the run", async () => {
    const h = await harnessWith({ unreadableRate: 1 });
    const { states, notices } = await runCollecting(h);

    expect(states).toEqual(["unknown", "unknown", "unknown"]);
    expect([...createsPerJob(h.sim).values()]).toEqual([1, 1, 1]);
    expect(h.sim.ledger.lists).toEqual([expect.objectContaining({ route: "list", status: 404 })]);
    expect(notices.filter((n) => n.startsWith("the API offers no task list"))).toHaveLength(1);
    expect(
      h
        .store()
        .listJobs("trailer", "")
        .map((j) => j.error_message),
    ).toEqual(Array(3).fill(expect.stringMatching(/unreadable task.*not adopted: the API offers no task list/)));
  });

  it("is not adopted when creates lost at the same moment cannot be told apart, and is not resent either", async () => {
    const h = await harnessWith({ unreadableRate: 1, taskListing: true });
    const { states, notices } = await runCollecting(h, makeBatch(3), { concurrency: 3 });

    expect(states).toEqual(["unknown", "unknown", "unknown"]);
    expect([...createsPerJob(h.sim).values()]).toEqual([1, 1, 1]);
    expect(notices.filter((n) => / stays unknown: /.test(n))).toHaveLength(3);
  });

  it("tells tasks apart by their duration where the batch read gives it", async () => {
    // Long enough a render that the tasks are still pending, whose answers carry task_info.video_duration, when the list is read.
    const h = await harnessWith({ unreadableRate: 1, taskListing: true, genTimeMs: 8_000, jitterMs: 0 });
    const batch = makeBatch(0, {
      jobs: [4, 6].map((duration, i) => makeJob(i + 1, { request: makeRequest({ prompt: `Shot ${i + 1}: a lighthouse`, duration }) })),
    });
    const { states } = await runCollecting(h, batch, { concurrency: 2 });

    expect(states).toEqual(["done", "done"]);
    expect([...createsPerJob(h.sim).values()]).toEqual([1, 1]);
    expect(h.sim.ledger.lists.map((l) => l.route)).toContain("batch");
  });
});

describe("a create whose connection dropped", () => {
  it("after its task was made: reconciliation adopts it, leaving fewer orphans than resending does", async () => {
    const faults = { resetAfterRate: 0.5, seed: 7 };
    const resending = await harnessWith(faults);
    const reconciling = await harnessWith({ ...faults, taskListing: true });
    const batch = makeBatch(4);
    for (const h of [resending, reconciling]) expect((await runCollecting(h, batch, { concurrency: 1 })).states).toEqual(Array(4).fill("done"));

    expect(resending.sim.ledger.faults.filter((f) => f.kind === "reset_after").length).toBeGreaterThan(0);
    expect(orphans(resending).length).toBeGreaterThan(0);
    expect(orphans(reconciling).length).toBeLessThan(orphans(resending).length);
  });

  it("before any task was made: the list shows none, so it is sent again", async () => {
    const h = await harnessWith({ taskListing: true, resetBeforeRate: 1, faultRoutes: ["create"] });
    const emitter = new RunnerEmitter();
    emitter.on("job:state", (e) => {
      if (e.to === "unknown") h.sim.setFaults({ resetBeforeRate: 0 });
    });
    const outcome = await h.run(makeBatch(1), {}, { emitter });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(h.sim.ledger.creates.map((c) => c.fault)).toEqual(["reset_before", null]);
    expect(h.sim.ledger.lists.filter((l) => l.route === "list").length).toBeGreaterThan(0);
  });
});

describe("a lost create beside another create of the same moment", () => {
  const unreadable: Handler = (_req, res) => answer.json(res, 200, "<html><body>Bad gateway</body></html>");
  /** The list shows one task of the batch's model, made just now, whose create it does not say. */
  function listsOneTask(api: FakeApi, status: string): void {
    const item = { id: "t-x", model: makeRequest().model, status, type: "video" };
    api.server.route("GET /v1/tasks", (_req, res) => answer.json(res, 200, { data: [{ ...item, created_at: Math.floor(Date.now() / 1000) }], total: 1 }));
  }

  it("adopts nothing when the one task listed could as well be the other lost create's", async () => {
    const api = await useFakeApi();
    api.onCreate(unreadable, (_req, res) => res.socket?.destroy());
    listsOneTask(api, "completed");
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(2), { concurrency: 2 });

    expect(outcome.jobs.map((j) => [j.state, j.task_id])).toEqual([
      ["unknown", null],
      ["unknown", null],
    ]);
    expect(api.creates()).toHaveLength(2);
    expect(runner.notices.filter((n) => n.startsWith("adopted"))).toEqual([]);
    expect(runner.notices.filter((n) => / stays unknown: task t-x could as well be the lost answer of another job/.test(n))).toHaveLength(2);
  });

  it("waits for a create still on the wire that could own the task, and leaves alone the task its answer names", async () => {
    const api = await useFakeApi();
    api.onCreate(unreadable, (_req, res) => setTimeout(() => answer.task(res, "t-x", "pending"), 1_500));
    listsOneTask(api, "processing");
    api.onGet("t-x", (_req, res) => answer.task(res, "t-x", "completed", { results: [api.fileUrl("t-x")] }));
    api.onFile("t-x", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(2), { concurrency: 2 });

    expect(outcome.jobs.map((j) => j.state).sort()).toEqual(["done", "unknown"]);
    expect(outcome.jobs.filter((j) => j.task_id === "t-x")).toHaveLength(1);
    expect(runner.notices.filter((n) => n.startsWith("adopted"))).toEqual([]);
  });
});
