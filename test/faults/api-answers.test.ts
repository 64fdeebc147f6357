/**
 * What a run does when the API answers badly: unreadable or incomplete task
 * objects, unknown statuses, a completed task with nothing to download, an
 * answer that hangs half-way. The runner runs in-process against a fake API
 * on loopback that answers exactly as each test scripts it.
 */
import { describe, expect, it } from "vitest";
import type { RunnerConfig } from "../../src/runner/scheduler.js";
import { makeBatch } from "../helpers/fixtures.js";
import type { Handler } from "../helpers/scripted-server.js";
import { answer, useFakeApi, type FakeApi } from "./fake-api.js";
import { pathOf, useRunner, type RunOptions } from "./runner.js";

/** An answer of 200 with `body` as it stands (a string is sent as written). */
function json(body: unknown): Handler {
  return (_req, res) => answer.json(res, 200, body);
}

/** An answer of task `id` in `status`, with `extra` fields. */
function task(id: string, status: string, extra: Record<string, unknown> = {}): Handler {
  return (_req, res) => answer.task(res, id, status, extra);
}

/** A read of t1 that finds it completed, with a file that downloads. */
function completedWithClip(api: FakeApi): Handler {
  return task("t1", "completed", { results: [api.fileUrl("t1")] });
}

/** Every create answers task t1 pending; t1 completes on its first read with a file that downloads. */
function happyAfterCreate(api: FakeApi): void {
  api.onGet("t1", completedWithClip(api));
  api.onFile("t1", (req, res) => answer.video(res, req));
}

/** An answer that stops half-way through its body and never ends. */
function hangsHalfWay(contentLength: number, body: string): Handler {
  return (_req, res) => answer.raw(res, `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${contentLength}`, Buffer.from(body), "hang");
}

/** Table rows for `it.each(...)("%s", ...)`: each case after its name, which titles the test as written. */
function byName<Case extends { name: string }>(cases: Case[]): [string, Case][] {
  return cases.map((c) => [c.name, c]);
}

/**
 * Runs one job whose create answers task t1 pending and whose reads of t1
 * answer `reads` in turn (the last one every read after it); t1's file downloads.
 */
async function runReadingT1(reads: (api: FakeApi) => Handler[], overrides: Partial<RunnerConfig> = {}, options: RunOptions = {}) {
  const api = await useFakeApi();
  api.onCreate(task("t1", "pending"));
  api.onGet("t1", ...reads(api));
  api.onFile("t1", (req, res) => answer.video(res, req));
  const runner = await useRunner(api);
  const started = Date.now();
  const outcome = await runner.run(makeBatch(1), overrides, options);
  return { api, runner, outcome, elapsedMs: Date.now() - started };
}

describe("a bad answer to a create", () => {
  it.each<[string, Handler, RegExp]>([
    ["an HTML page instead of JSON", json("<html><body>Bad gateway</body></html>"), /expected a JSON object, got "<html>/],
    ["JSON cut off half-way", json('{"id":"t0","status":"pen'), /expected a JSON object, got "\{\\"id\\"/],
    ["a task without an id", json('{"status":"pending"}'), /expected a task with a string "id", got none/],
  ])("%s marks the job unknown and does not send it again in this run: the create arrived", async (_name, create, problem) => {
    const api = await useFakeApi();
    api.onCreate(create, task("t1", "pending"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("unknown");
    expect(pathOf(runner, "job-1")).toEqual(["queued", "submitting", "unknown"]);
    expect(outcome.jobs[0]?.error_message).toMatch(problem);
    expect(api.creates()).toHaveLength(1);
  });

  it("resends a create whose answer hung half-way with the same Idempotency-Key, the API offering no task list to look in", async () => {
    const api = await useFakeApi();
    api.onCreate(hangsHalfWay(100, '{"id":"t1",'), task("t1", "pending"));
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), {}, { timeoutMs: 400 });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(pathOf(runner, "job-1")).toEqual(["queued", "submitting", "unknown", "submitting", "generating", "completed", "done"]);
    expect(runner.moves.find((m) => m.to === "unknown")?.job.error_message).toMatch(/got no answer \(ambiguous\)/);
    const keys = api.creates().map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual(["shotlist-job-1-0", "shotlist-job-1-0"]);
  });

  it.each([
    ["without a status", { id: "t1" }],
    ["with a status it does not know", { id: "t1", status: "accepted" }],
  ])("follows the task a create answer names %s, instead of paying for another", async (_name, body) => {
    const api = await useFakeApi();
    api.onCreate(json(body));
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "done", task_id: "t1" });
    expect(api.creates()).toHaveLength(1);
    expect(runner.notices.some((n) => n.startsWith("following task t1 though its create answer was unreadable"))).toBe(true);
  });

  it("leaves the job unknown for the user when resending is turned off", async () => {
    const api = await useFakeApi();
    api.onCreate(json("not json at all"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), { resubmitUnknown: false });

    expect(outcome.jobs[0]).toMatchObject({ state: "unknown", error_class: "unknown" });
    expect(outcome.jobs[0]?.error_message).toMatch(/unreadable task/);
    expect(api.creates()).toHaveLength(1);
  });
});

/** A read of t1 answered badly, after which the run reads t1 again and finishes the job. */
interface ReadAgain {
  name: string;
  /** What the reads of t1 answer before the one that finds it completed. */
  badReads: (api: FakeApi) => Handler[];
  /** How many times the run reads t1 in all. */
  reads: number;
  /** The API client's time limit on each call, where an answer hangs. */
  options: RunOptions;
  /** How long the run may take, where an answer hangs. */
  finishesWithinMs?: number;
}

/** Every read of t1 answered so that the run gives up polling it, keeping the task for the next run. */
interface GivesUp {
  name: string;
  /** What every read of t1 answers. */
  read: Handler;
  /** What the job's error says when the run gives up on it. */
  problem: RegExp;
}

describe("a bad answer to a read", () => {
  it.each(
    byName<ReadAgain>([
      {
        name: "polls again after a task without a status, and finishes",
        badReads: () => [json({ id: "t1" }), json('{"id":"t1","sta')],
        reads: 3,
        options: {},
      },
      {
        name: "never saves another task's result as this job's clip, and polls again",
        badReads: (api) => {
          api.onFile("t2", (req, res) => answer.video(res, req, Buffer.from("must never be saved")));
          return [task("t2", "completed", { results: [api.fileUrl("t2")] })];
        },
        reads: 2,
        options: {},
      },
      {
        name: "reads a completed task without a result again and downloads the result once it appears, with no second task",
        badReads: () => [task("t1", "completed")],
        reads: 2,
        options: {},
      },
      {
        name: "times a read out half-way through its body and polls again",
        badReads: () => [hangsHalfWay(200, '{"id":"t1","status":')],
        reads: 2,
        options: { timeoutMs: 400 },
        finishesWithinMs: 4_000,
      },
    ]),
  )("%s", async (_name, { badReads, reads, options, finishesWithinMs }) => {
    const { api, outcome, elapsedMs } = await runReadingT1((api) => [...badReads(api), completedWithClip(api)], {}, options);

    expect(outcome.jobs[0]).toMatchObject({ state: "done", task_id: "t1" });
    expect(outcome.jobs[0]?.result_url).toContain("/files/t1.mp4");
    expect(new Set(api.files().map((r) => r.url.split("?")[0]))).toEqual(new Set(["/files/t1.mp4"]));
    expect(api.creates()).toHaveLength(1);
    expect(api.gets("t1")).toHaveLength(reads);
    if (finishesWithinMs !== undefined) expect(elapsedMs).toBeLessThan(finishesWithinMs);
  });

  it("drops a read whose body runs past 1 MB without holding it, and polls again", async () => {
    let sent = 0;
    const endlessJson: Handler = (_req, res) => {
      // An endless JSON string, until the client hangs up.
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":"t1","status":"processing","junk":"');
      const chunk = Buffer.alloc(64 * 1024, "x");
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
    };
    const { api, outcome, elapsedMs } = await runReadingT1((api) => [endlessJson, completedWithClip(api)], {}, { timeoutMs: 10_000 });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.gets("t1")).toHaveLength(2);
    // Hung up on at 1 MB, not read on until the 10 s timeout.
    expect(elapsedMs).toBeLessThan(5_000);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it.each(
    byName<GivesUp>([
      {
        name: "gives up polling an unknown status for this run with a message naming it, and keeps the task for the next run",
        read: task("t1", "under_review"),
        problem: /"status" to be one of pending, processing, completed, failed, cancelled, got "under_review"/,
      },
      {
        name: "gives up polling for this run when every answer is about another task, naming both",
        read: task("t9", "processing"),
        problem: /reading task t1 answered task "t9" instead$/,
      },
    ]),
  )("%s", async (_name, { read, problem }) => {
    const { api, runner, outcome } = await runReadingT1(() => [read], { retryWindowMs: 300 });

    expect(outcome.jobs[0]).toMatchObject({ state: "generating", task_id: "t1", error_class: "transient" });
    expect(outcome.jobs[0]?.error_message).toMatch(problem);
    expect(runner.notices.some((n) => n.startsWith("gave up polling s1 take 1"))).toBe(true);
    expect(api.creates()).toHaveLength(1);
  });
});

describe("a completed task without a result", () => {
  it("renders it as a new task while attempts last, then fails saying why", async () => {
    const api = await useFakeApi();
    let n = 0;
    api.onCreate((_req, res) => answer.task(res, `t${++n}`, "pending"));
    api.onGet("t1", (_req, res) => answer.task(res, "t1", "completed", { results: [] }));
    api.onGet("t2", (_req, res) => answer.task(res, "t2", "completed"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), { maxAttempts: 2 });

    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_code: "completed_without_results" });
    expect(outcome.jobs[0]?.error_message).toMatch(/completed but sent no result URL \(read 3 times\)/);
    expect(api.creates()).toHaveLength(2);
    expect(api.gets()).toHaveLength(6);
  });
});

describe("the account refused mid-run", () => {
  it("stops at a key refused while polling, and keeps every task for the next run to poll", async () => {
    const api = await useFakeApi();
    let n = 0;
    api.onCreate((_req, res) => answer.task(res, `t${++n}`, "pending"));
    api.onGet("t1", (_req, res) => answer.error(res, 401, "invalid_api_key"));
    api.onGet("t2", (_req, res) => answer.task(res, "t2", "processing"));
    const runner = await useRunner(api);
    const batch = makeBatch(2);
    const outcome = await runner.run(batch, { concurrency: 2 });

    expect(outcome.stoppedBy).toBe("auth");
    expect(outcome.jobs.map((j) => [j.state, j.task_id])).toEqual([
      ["generating", "t1"],
      ["generating", "t2"],
    ]);
    expect(runner.notices.some((n) => n.startsWith("the API refused the key: no new tasks will be sent this run"))).toBe(true);
    expect(api.creates()).toHaveLength(2);
  });

  it("stops sending at an empty account (402) and leaves the unsent jobs queued", async () => {
    const api = await useFakeApi();
    api.onCreate(
      (_req, res) => answer.task(res, "t1", "pending"),
      (_req, res) => answer.error(res, 402, "insufficient_quota"),
    );
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(3), { concurrency: 1 });

    expect(outcome.stoppedBy).toBe("quota");
    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "queued", "queued"]);
    expect(outcome.jobs[1]?.error_message).toMatch(/answered 402/);
    expect(api.creates()).toHaveLength(2);
  });
});
