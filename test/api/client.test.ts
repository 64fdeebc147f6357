import type { ServerResponse } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { ApiError, createApiClient, type ApiClient, type CreateRequest } from "../../src/api/index.js";
import { useScriptedServer } from "../helpers/scripted-server.js";

const API_KEY = "sk-test-0123456789abcdef";
const KEY = "shot-a.take-1.gen-0";
const REQUEST: CreateRequest = { model: "seedance-1.5-pro", prompt: "a red kite", duration: 5, quality: "480p", aspect_ratio: "16:9", generate_audio: false };
const PENDING = { id: "task-1", object: "video.generation.task", status: "pending", progress: 0, task_info: { can_cancel: true, estimated_time: 165 } };

function clientFor(server: { url: string }, options: { timeoutMs?: number; connections?: number } = {}): ApiClient {
  const client = createApiClient({ baseUrl: server.url, apiKey: API_KEY, ...options });
  onTestFinished(() => client.close());
  return client;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return (_req: unknown, res: ServerResponse): void => {
    res.writeHead(status, { "content-type": "application/json", ...headers }).end(typeof body === "string" ? body : JSON.stringify(body));
  };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("createTask", () => {
  it("posts the request with the key, the Idempotency-Key and JSON, and reads the task", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", json(200, { ...PENDING, brand_new_field: [1, 2] }));
    const task = await clientFor(server).createTask(REQUEST, { idempotencyKey: KEY });
    expect(task).toEqual({
      id: "task-1",
      object: "video.generation.task",
      status: "pending",
      progress: 0,
      task_info: { can_cancel: true, estimated_time: 165 },
    });
    const [sent] = server.requests;
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.headers["idempotency-key"]).toBe(KEY);
    expect(sent?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(sent?.body ?? "")).toEqual(REQUEST);
  });

  it("keeps a path prefix of the base URL", async () => {
    const server = await useScriptedServer();
    server.route("POST /gateway/v1/videos/generations", json(200, PENDING));
    const task = await clientFor({ url: `${server.url}/gateway/` }).createTask(REQUEST, { idempotencyKey: KEY });
    expect(task.id).toBe("task-1");
  });

  it("refuses an Idempotency-Key the API would not accept, before sending", async () => {
    const server = await useScriptedServer();
    await expect(clientFor(server).createTask(REQUEST, { idempotencyKey: "short" })).rejects.toThrow(/16-96 characters/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ["not JSON", "<html>oops</html>"],
    ["cut-off JSON", '{"id":"task-1","status":"pen'],
    ["no id", '{"status":"pending"}'],
    ["an unknown status", '{"id":"task-1","status":"queued"}'],
    ["an empty body", ""],
    ["a 50 MB body", "x".repeat(50 * 1024 * 1024)],
  ])("calls a 200 with %s ambiguous: the task may exist", async (_name, body) => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", json(200, body));
    const err = await failure(clientFor(server).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err).toMatchObject({ kind: "ambiguous", status: 200, apiCode: "invalid_answer" });
  });

  it("calls a create that hangs after sending the headers ambiguous", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
      res.write('{"id":"task-1",');
    });
    const started = Date.now();
    const err = await failure(clientFor(server, { timeoutMs: 300 }).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err.kind).toBe("ambiguous");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("calls a create that never gets headers ambiguous", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", () => undefined);
    const err = await failure(clientFor(server, { timeoutMs: 300 }).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err.kind).toBe("ambiguous");
  });

  it("calls a refused connection transient: nothing reached the API", async () => {
    const err = await failure(clientFor({ url: await closedPortUrl() }).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it("throws the caller's reason without sending when the signal is already aborted", async () => {
    const server = await useScriptedServer();
    const reason = new Error("interrupted");
    await expect(clientFor(server).createTask(REQUEST, { idempotencyKey: KEY, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(server.requests).toHaveLength(0);
  });

  it("calls a create aborted by the caller while on the wire ambiguous", async () => {
    const server = await useScriptedServer();
    const controller = new AbortController();
    server.route("POST /v1/videos/generations", () => controller.abort(new Error("interrupted")));
    const err = await failure(clientFor(server).createTask(REQUEST, { idempotencyKey: KEY, signal: controller.signal }));
    expect(err.kind).toBe("ambiguous");
  });
});

describe("HTTP errors", () => {
  it.each([
    [400, { error: { code: "invalid_parameters", message: "duration must be 4..12", type: "invalid_request_error" } }, "invalid"],
    [401, { error: { code: "invalid_api_key", message: "bad key", type: "authentication_error" } }, "auth"],
    [402, { error: { code: "insufficient_quota", message: "top up", type: "insufficient_quota_error" } }, "quota"],
    [403, { error: { message: "not allowed", type: "permission_error" } }, "auth"],
    [404, { error: { code: "task_not_found", message: "no such task", type: "not_found_error" } }, "invalid"],
    [413, { error: { message: "too large", type: "request_too_large_error" } }, "invalid"],
    [429, { error: { code: "quota_exceeded", message: "out of credits", type: "insufficient_quota_error" } }, "quota"],
    [500, { error: { message: "boom", type: "internal_server_error" } }, "transient"],
    [502, "<html>Bad Gateway</html>", "transient"],
    [503, { error: { message: "busy", type: "service_unavailable_error" } }, "transient"],
  ])("%i -> its kind, with the API's code, type and message", async (status, body, kind) => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", json(status, body));
    const err = await failure(clientFor(server).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    if (typeof body !== "string") {
      expect(err.apiType).toBe(body.error.type);
      expect(err.apiCode).toBe("code" in body.error ? body.error.code : undefined);
      expect(err.apiMessage).toBe(body.error.message);
      expect(err.message).toContain(body.error.message);
    }
    expect(err.message).toContain(`answered ${status}`);
  });

  it.each([
    ["seconds", "7", 7000],
    ["an HTTP date", () => new Date(Date.now() + 30_000).toUTCString(), 30_000],
    ["nothing", undefined, undefined],
  ])("429 with Retry-After as %s", async (_name, value, ms) => {
    const server = await useScriptedServer();
    const header = typeof value === "function" ? value() : value;
    server.route(
      "POST /v1/videos/generations",
      json(429, { error: { type: "rate_limit_error", message: "slow down" } }, header === undefined ? {} : { "retry-after": header }),
    );
    const err = await failure(clientFor(server).createTask(REQUEST, { idempotencyKey: KEY }));
    expect(err.kind).toBe("rate_limited");
    if (ms === undefined) expect(err.retryAfterMs).toBeUndefined();
    else expect(err.retryAfterMs).toBeGreaterThan(ms - 2000); // HTTP dates have 1 s resolution
    if (ms !== undefined) expect(err.retryAfterMs).toBeLessThanOrEqual(ms);
  });

  it("maps the kinds to ShotlistError codes for the CLI boundary", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", json(401, { error: { type: "authentication_error" } }));
    const err = await failure(clientFor(server).getTask("t"));
    expect(err.code).toBe("auth");
  });
});

describe("getTask", () => {
  it("reads a task and encodes the id into the path", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/task%2F1%3Fx", json(200, { id: "task/1?x", status: "processing", progress: 40 }));
    const task = await clientFor(server).getTask("task/1?x");
    expect(task).toEqual({ id: "task/1?x", status: "processing", progress: 40 });
  });

  it("reads many tasks at once under one signal without Node's listener-leak warning", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", json(200, { id: "t", status: "processing", progress: 40 }));
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on("warning", onWarning);
    onTestFinished(() => void process.off("warning", onWarning));
    const client = clientFor(server, { connections: 4 });
    const { signal } = new AbortController();
    await Promise.all(Array.from({ length: 40 }, () => client.getTask("t", { signal })));
    // Node emits its warnings on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.map((w) => w.name)).toEqual([]);
  });

  it("returns a completed task without results as it came", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", json(200, { id: "t", status: "completed" }));
    expect(await clientFor(server).getTask("t")).toEqual({ id: "t", status: "completed" });
  });

  it.each([
    ["not JSON", "<html>oops</html>"],
    ["cut-off JSON", '{"id":"t","status":"comp'],
    ["no id", '{"status":"completed"}'],
    ["an unknown status", '{"id":"t","status":"exploded"}'],
  ])("calls a 200 with %s transient: poll again", async (_name, body) => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", json(200, body));
    const err = await failure(clientFor(server).getTask("t"));
    expect(err).toMatchObject({ kind: "transient", status: 200, apiCode: "invalid_answer" });
  });

  it("calls a read that hangs mid-answer transient, within the timeout", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":"t",');
    });
    const started = Date.now();
    const err = await failure(clientFor(server, { timeoutMs: 300 }).getTask("t"));
    expect(err.kind).toBe("transient");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("calls a dropped connection transient", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", (_req, res) => res.socket?.destroy());
    const err = await failure(clientFor(server).getTask("t"));
    expect(err.kind).toBe("transient");
  });

  it("reuses connections and keeps within the connection bound", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", (_req, res) => setTimeout(() => json(200, { id: "t", status: "pending" })(undefined, res), 20));
    const client = clientFor(server, { connections: 2 });
    await Promise.all(Array.from({ length: 10 }, () => client.getTask("t")));
    expect(server.requests).toHaveLength(10);
    expect(new Set(server.requests.map((r) => r.remotePort)).size).toBeLessThanOrEqual(2);
  });

  it("starts a call's timer when it has a connection, not while it waits for one", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks/t", (_req, res) => setTimeout(() => json(200, { id: "t", status: "pending" })(undefined, res), 200));
    const client = clientFor(server, { connections: 1, timeoutMs: 300 });
    // The second waits ~200 ms for the one connection, then takes ~200 ms on it: 400 ms in all, under 300 ms on the wire.
    const tasks = await Promise.all([client.getTask("t"), client.getTask("t")]);
    expect(tasks.map((t) => t.status)).toEqual(["pending", "pending"]);
  });

  it("sends nothing for a call aborted while it waits for a connection, and throws the caller's reason", async () => {
    const server = await useScriptedServer();
    let answer: (() => void) | undefined;
    server.route("GET /v1/tasks/t", (_req, res) => (answer = () => json(200, { id: "t", status: "pending" })(undefined, res)));
    const client = clientFor(server, { connections: 1 });
    const first = client.getTask("t");
    const controller = new AbortController();
    const second = client.getTask("t", { signal: controller.signal });
    const reason = new Error("stopped by the test");
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
    await vi.waitFor(() => expect(answer).toBeDefined());
    answer?.();
    await first;
    expect(server.requests).toHaveLength(1);
  });

  it("opens more connections as more calls are in flight, without a bound of its own below the work", async () => {
    const server = await useScriptedServer();
    const held: (() => void)[] = [];
    server.route("GET /v1/tasks/t", (_req, res) => {
      held.push(() => json(200, { id: "t", status: "pending" })(undefined, res));
      // Answers only once all 40 are on the wire at once: a client that queues any of them would wait forever.
      if (held.length === 40) for (const answer of held) answer();
    });
    const client = clientFor(server, { timeoutMs: 5000 });
    await Promise.all(Array.from({ length: 40 }, () => client.getTask("t")));
    expect(new Set(server.requests.map((r) => r.remotePort)).size).toBe(40);
  });
});

describe("listTasks", () => {
  const ITEM = {
    id: "task-unified-1774857405-abc",
    model: "seedance-1.5-pro",
    status: "processing",
    type: "video",
    progress: 30,
    created_at: 1774857405,
    has_results: false,
    credits_used: 0,
  };

  it("asks for one page of a model's tasks and reads created_at as epoch seconds", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks", json(200, { data: [ITEM], total: 41, page: 2, page_size: 20 }));
    const page = await clientFor(server).listTasks({ model: "seedance-1.5-pro", page: 2, pageSize: 20 });
    expect(page).toEqual({
      tasks: [{ id: ITEM.id, model: "seedance-1.5-pro", status: "processing", type: "video", created_ms: 1774857405_000 }],
      unreadable: 0,
      total: 41,
    });
    expect(server.requests.map((r) => r.url)).toEqual(["/v1/tasks?model=seedance-1.5-pro&page=2&page_size=20"]);
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it.each([
    ["an ISO time", "2026-03-30T08:36:45.250Z", Date.parse("2026-03-30T08:36:45.250Z")],
    ["milliseconds", 1774857405250, 1774857405250],
    ["seconds as a string", "1774857405", 1774857405_000],
  ])("reads created_at given as %s", async (_name, created_at, ms) => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks", json(200, { data: [{ ...ITEM, created_at, task_info: { video_duration: 5 } }] }));
    const page = await clientFor(server).listTasks({ page: 1, pageSize: 50 });
    expect(page.tasks[0]).toMatchObject({ created_ms: ms, video_duration: 5 });
  });

  it("counts the items it cannot place in time instead of dropping them unseen", async () => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks", json(200, { data: [ITEM, { ...ITEM, id: "t2", created_at: "yesterday" }, { id: 7 }, "x"] }));
    const page = await clientFor(server).listTasks({ page: 1, pageSize: 50 });
    expect(page).toMatchObject({ tasks: [{ id: ITEM.id }], unreadable: 3 });
  });

  it.each([
    ["a 404: the API offers no list", json(404, { error: { code: "not_found", type: "not_found_error" } }), { kind: "invalid", status: 404 }],
    ["a 405", json(405, "method not allowed"), { kind: "invalid", status: 405 }],
    ["a 200 HTML page", json(200, "<html>docs</html>"), { kind: "transient", status: 200, apiCode: "invalid_answer" }],
    ["a 200 without a data list", json(200, { tasks: [] }), { kind: "transient", status: 200, apiCode: "invalid_answer" }],
    ["a 503", json(503, { error: { type: "service_unavailable_error" } }), { kind: "transient", status: 503 }],
  ])("classifies %s like any read", async (_name, handler, expected) => {
    const server = await useScriptedServer();
    server.route("GET /v1/tasks", handler);
    expect(await failure(clientFor(server).listTasks({ page: 1, pageSize: 50 }))).toMatchObject(expected);
  });
});

describe("getTasks", () => {
  it("posts the ids and returns the tasks the API knows", async () => {
    const server = await useScriptedServer();
    server.route(
      "POST /v1/tasks/batch",
      json(200, {
        data: [
          { id: "t1", status: "pending", task_info: { video_duration: 5 } },
          { id: "t2", status: "exploded" },
        ],
      }),
    );
    const tasks = await clientFor(server).getTasks(["t1", "t2", "t3"]);
    expect(tasks).toEqual([{ id: "t1", status: "pending", task_info: { video_duration: 5 } }]);
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ task_ids: ["t1", "t2", "t3"] });
  });

  it("sends nothing for no ids, and refuses more than 50 before sending", async () => {
    const server = await useScriptedServer();
    const client = clientFor(server);
    expect(await client.getTasks([])).toEqual([]);
    await expect(client.getTasks(Array.from({ length: 51 }, (_, i) => `t${i}`))).rejects.toThrow(/at most 50/);
    expect(server.requests).toHaveLength(0);
  });

  it("calls a 200 without a data list transient", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/tasks/batch", json(200, "[]"));
    expect(await failure(clientFor(server).getTasks(["t1"]))).toMatchObject({ kind: "transient", apiCode: "invalid_answer" });
  });
});

describe("cancelTask", () => {
  it("posts to the cancel path", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/tasks/t/cancel", json(200, { id: "t", status: "cancelled" }));
    await clientFor(server).cancelTask("t");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v1/tasks/t/cancel"]);
  });

  it("calls a lost answer transient: cancelling twice is harmless", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/tasks/t/cancel", (_req, res) => res.socket?.destroy());
    expect((await failure(clientFor(server).cancelTask("t"))).kind).toBe("transient");
  });
});

/** A URL on which nothing listens: a port just released by a server. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
