/**
 * What a run does when the API answers badly: unreadable or incomplete task
 * objects, unknown statuses, a completed task with nothing to download, an
 * answer that hangs half-way. The runner runs in-process against a fake API
 * on loopback that answers exactly as each test scripts it.
 */
import { describe, expect, it } from "vitest";
import { makeBatch } from "../helpers/fixtures.js";
import { answer, useFakeApi, type FakeApi } from "./fake-api.js";
import { pathOf, useRunner } from "./runner.js";

/** Every create answers task t1 pending; t1 completes on its first read with a file that downloads. */
function happyAfterCreate(api: FakeApi): void {
  api.onGet("t1", (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }));
  api.onFile("t1", (req, res) => answer.video(res, req));
}

describe("an unreadable answer to a create", () => {
  it.each([
    ["an HTML page instead of JSON", "<html><body>Bad gateway</body></html>", /expected a JSON object, got "<html>/],
    ["JSON cut off half-way", '{"id":"t0","status":"pen', /expected a JSON object, got "\{\\"id\\"/],
    ["a task without an id", '{"status":"pending"}', /expected a task with a string "id", got none/],
  ])("%s marks the job unknown, then resends it with the same Idempotency-Key", async (_name, body, problem) => {
    const api = await useFakeApi();
    api.onCreate(
      (_req, res) => answer.json(res, 200, body),
      (_req, res) => answer.task(res, "t1", "pending"),
    );
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(pathOf(runner, "job-1")).toEqual(["queued", "submitting", "unknown", "submitting", "generating", "completed", "done"]);
    const unknown = runner.moves.find((m) => m.to === "unknown");
    expect(unknown?.job.error_message).toMatch(problem);
    const keys = api.creates().map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual(["shotlist-job-1-0", "shotlist-job-1-0"]);
  });

  it.each([
    ["without a status", { id: "t1" }],
    ["with a status it does not know", { id: "t1", status: "accepted" }],
  ])("follows the task a create answer names %s, instead of paying for another", async (_name, body) => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.json(res, 200, body));
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "done", task_id: "t1" });
    expect(api.creates()).toHaveLength(1);
    expect(runner.notices.some((n) => n.startsWith("following task t1 though its create answer was unreadable"))).toBe(true);
  });

  it("leaves the job unknown for the user when resending is turned off", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.json(res, 200, "not json at all"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), { resubmitUnknown: false });

    expect(outcome.jobs[0]).toMatchObject({ state: "unknown", error_class: "unknown" });
    expect(outcome.jobs[0]?.error_message).toMatch(/unreadable task/);
    expect(api.creates()).toHaveLength(1);
  });
});

describe("an unreadable answer to a read", () => {
  it("polls again after a task without a status, and finishes", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet(
      "t1",
      (_req, res) => answer.json(res, 200, { id: "t1" }),
      (_req, res) => answer.json(res, 200, '{"id":"t1","sta'),
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.gets("t1")).toHaveLength(3);
    expect(api.creates()).toHaveLength(1);
  });

  it("gives up polling an unknown status for this run with a message naming it, and keeps the task for the next run", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet("t1", (_req, res) => answer.task(res, "t1", "under_review"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), { retryWindowMs: 300 });

    expect(outcome.jobs[0]).toMatchObject({ state: "generating", task_id: "t1", error_class: "transient" });
    expect(outcome.jobs[0]?.error_message).toMatch(/"status" to be one of pending, processing, completed, failed, cancelled, got "under_review"/);
    expect(runner.notices.some((n) => n.startsWith("gave up polling s1 take 1"))).toBe(true);
    expect(api.creates()).toHaveLength(1);
  });
});

describe("an answer about another task", () => {
  it("never saves another task's result as this job's clip, and polls again", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet(
      "t1",
      (_req, res) => answer.task(res, "t2", "completed", { results: [api.fileUrl("t2")] }),
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    api.onFile("t2", (req, res) => answer.video(res, req, Buffer.from("must never be saved")));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "done", task_id: "t1" });
    expect(outcome.jobs[0]?.result_url).toContain("/files/t1.mp4");
    expect(api.files("t2")).toHaveLength(0);
  });

  it("gives up polling for this run when every answer is about another task, naming both", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet("t1", (_req, res) => answer.task(res, "t9", "processing"));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), { retryWindowMs: 300 });

    expect(outcome.jobs[0]).toMatchObject({ state: "generating", task_id: "t1" });
    expect(outcome.jobs[0]?.error_message).toMatch(/reading task t1 answered task "t9" instead$/);
  });
});

describe("a completed task without a result", () => {
  it("reads it again and downloads the result once it appears, with no second task", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet(
      "t1",
      (_req, res) => answer.task(res, "t1", "completed"),
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.creates()).toHaveLength(1);
    expect(api.gets("t1")).toHaveLength(2);
  });

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

describe("an answer that hangs", () => {
  it("times a read out half-way through its body and polls again", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet(
      "t1",
      (_req, res) => answer.raw(res, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200", Buffer.from('{"id":"t1","status":'), "hang"),
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const started = Date.now();
    const outcome = await runner.run(makeBatch(1), {}, { timeoutMs: 400 });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.gets("t1")).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("treats a create that hangs half-way as a lost answer: unknown, then resent with the same key", async () => {
    const api = await useFakeApi();
    api.onCreate(
      (_req, res) => answer.raw(res, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100", Buffer.from('{"id":"t1",'), "hang"),
      (_req, res) => answer.task(res, "t1", "pending"),
    );
    happyAfterCreate(api);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1), {}, { timeoutMs: 400 });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(runner.moves.find((m) => m.to === "unknown")?.job.error_message).toMatch(/got no answer \(ambiguous\)/);
    expect(api.creates().map((r) => r.headers["idempotency-key"])).toEqual(["shotlist-job-1-0", "shotlist-job-1-0"]);
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

describe("an answer that never ends", () => {
  it("drops a read whose body runs past 1 MB without holding it, and polls again", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    let sent = 0;
    api.onGet(
      "t1",
      (_req, res) => {
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
      },
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const started = Date.now();
    const outcome = await runner.run(makeBatch(1), {}, { timeoutMs: 10_000 });

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.gets("t1")).toHaveLength(2);
    // Hung up on at 1 MB, not read on until the 10 s timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });
});
