import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import { createsPerJob, startHarness, type Harness } from "./harness.js";

let harness: Harness;
afterEach(async () => harness?.close());

async function sha256Of(path: string): Promise<string> {
  return createHash("sha256")
    .update(await readFile(path))
    .digest("hex");
}

describe("a run", () => {
  it("renders jobs of all three modes and saves each task's own clip", async () => {
    harness = await startHarness();
    const batch = makeBatch(0, {
      jobs: [
        makeJob(1),
        makeJob(2, {
          mode: "image-to-video",
          request: makeRequest({ model: "seedance-1.5-pro", prompt: "a detective turns", image_urls: ["https://example.com/d.png"] }),
        }),
        makeJob(3, {
          mode: "first-last-frame",
          request: makeRequest({ model: "seedance-1.5-pro", prompt: "door to window", image_urls: ["https://example.com/a.png", "https://example.com/b.png"] }),
        }),
      ],
    });
    const outcome = await harness.run(batch);
    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    for (const job of outcome.jobs) {
      const file = join(harness.root, job.output_path!);
      expect(await sha256Of(file)).toBe(harness.sim.expectedSha256(job.task_id!));
      expect(job.sha256).toBe(harness.sim.expectedSha256(job.task_id!));
      const sidecar = JSON.parse(await readFile(file.replace(/\.mp4$/, ".json"), "utf8")) as { task_id: string; key: string };
      expect(sidecar).toMatchObject({ task_id: job.task_id, key: job.key });
    }
  });

  it("never has more tasks in flight than the concurrency allows", async () => {
    harness = await startHarness();
    await harness.run(makeBatch(12), { concurrency: 3 });
    expect(harness.sim.ledger.maxInFlight[harness.sim.apiKey]).toBe(3);
  });

  it("sends each job's create exactly once on a clean run", async () => {
    harness = await startHarness();
    await harness.run(makeBatch(6));
    expect([...createsPerJob(harness.sim).values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe("a rerun", () => {
  it("polls the tasks an interrupted run left instead of creating them again", async () => {
    harness = await startHarness({ genTimeMs: 600 });
    const emitter = new RunnerEmitter();
    const controller = new AbortController();
    const batch = makeBatch(4);
    let generating = 0;
    emitter.on("job:state", ({ to }) => {
      if (to === "generating" && ++generating === 4) controller.abort();
    });
    const first = await harness.run(batch, {}, { signal: controller.signal, emitter });
    expect(first.interrupted).toBe(true);
    const second = await harness.run(batch);
    expect(second.jobs.every((j) => j.state === "done")).toBe(true);
    expect([...createsPerJob(harness.sim).values()]).toEqual([1, 1, 1, 1]);
  });

  it("makes no request at all when every clip is already saved", async () => {
    harness = await startHarness();
    const batch = makeBatch(3);
    await harness.run(batch);
    const before = { creates: harness.sim.ledger.creates.length, polls: harness.sim.ledger.polls.length, downloads: harness.sim.ledger.downloads.length };
    await harness.run(batch);
    expect({ creates: harness.sim.ledger.creates.length, polls: harness.sim.ledger.polls.length, downloads: harness.sim.ledger.downloads.length }).toEqual(
      before,
    );
  });
});

describe("failures", () => {
  it("fails a task that outlives --task-timeout and cancels it at the API before the run ends", async () => {
    harness = await startHarness();
    const batch = makeBatch(0, { jobs: [makeJob(1, { request: makeRequest({ prompt: "[never] a render that never ends" }) })] });
    const outcome = await harness.run(batch, { taskTimeoutMs: 300 });
    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_code: "task_timeout" });
    expect(harness.sim.ledger.cancels).toEqual([expect.objectContaining({ taskId: outcome.jobs[0]?.task_id, status: 200 })]);
  });

  it("never resubmits a content policy failure", async () => {
    harness = await startHarness();
    const outcome = await harness.run(makeBatch(0, { jobs: [makeJob(1, { request: makeRequest({ prompt: "[policy] forbidden scene" }) })] }));
    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_class: "policy", error_code: "content_policy_violation" });
    expect(harness.sim.ledger.creates).toHaveLength(1);
  });

  it("retries a transient task failure as a new task", async () => {
    harness = await startHarness();
    const outcome = await harness.run(makeBatch(0, { jobs: [makeJob(1, { request: makeRequest({ prompt: "[transient] a storm" }) })] }));
    expect(outcome.jobs[0]?.state).toBe("done");
    expect(harness.sim.ledger.creates.map((c) => c.idempotencyKey)).toEqual(["shotlist-job-1-0", "shotlist-job-1-1"]);
  });

  it("waits out 429s and still renders everything", async () => {
    harness = await startHarness({ maxInFlight: 2 });
    const outcome = await harness.run(makeBatch(6), { concurrency: 6 });
    expect(outcome.jobs.every((j) => j.state === "done")).toBe(true);
    expect(harness.sim.ledger.creates.some((c) => c.status === 429)).toBe(true);
    expect(harness.sim.ledger.creates.filter((c) => c.taskId !== null)).toHaveLength(6);
  });

  it("resumes a truncated download with a Range request on the next run", async () => {
    harness = await startHarness({ truncateRate: 1 });
    const batch = makeBatch(1);
    const first = await harness.run(batch, { retryWindowMs: 0 });
    expect(first.jobs[0]?.state).toBe("completed");
    harness.sim.setFaults({ truncateRate: 0 });
    const second = await harness.run(batch);
    expect(second.jobs[0]?.state).toBe("done");
    expect(harness.sim.ledger.downloads.map((d) => ({ ranged: d.ranged, truncated: d.truncated }))).toEqual([
      { ranged: false, truncated: true },
      { ranged: true, truncated: false },
    ]);
    expect(second.jobs[0]?.sha256).toBe(harness.sim.expectedSha256(second.jobs[0]!.task_id!));
  });

  it("marks a job expired when its result URL died and no fresh one comes back", async () => {
    harness = await startHarness({ urlTtlMs: 1 });
    const outcome = await harness.run(makeBatch(1));
    expect(outcome.jobs[0]).toMatchObject({ state: "expired", error_class: "download" });
    expect(outcome.jobs[0]?.error_message).toMatch(/--rerender-expired/);
  });
});
