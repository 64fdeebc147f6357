import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../src/api/types.js";
import { BASIC, GEN_MS, client, simulators } from "./sim-client.js";

const start = simulators();

describe("task lifecycle", () => {
  it("answers a create with the documented pending task object", async () => {
    const sim = await start();
    const { status, body } = await client(sim).create({ ...BASIC, duration: 6 });
    expect(status).toBe(200);
    expect(body).toEqual({
      id: expect.stringMatching(new RegExp(`^task-unified-${Math.floor(sim.clock.now() / 1000)}-[a-z0-9]{8}$`)),
      object: "video.generation.task",
      created: Math.floor(sim.clock.now() / 1000),
      model: "seedance-1.5-pro",
      status: "pending",
      progress: 0,
      type: "video",
      task_info: { can_cancel: true, estimated_time: 1, video_duration: 6 },
      usage: { billing_rule: "per_second", credits_reserved: expect.closeTo(21.34, 2), user_group: "default" },
    });
  });

  it("goes pending -> processing with rising progress -> completed with one result URL", async () => {
    const sim = await start({ genTimeMs: 300 });
    const api = client(sim);
    const { body: created } = await api.create(BASIC);
    sim.clock.advance(59);
    expect((await api.get(created.id)).body.status).toBe("pending");
    sim.clock.advance(1); // the first fifth of 300 ms
    const processing = (await api.get(created.id)).body;
    expect(processing).toMatchObject({ status: "processing", progress: 0, task_info: { can_cancel: true } });
    expect(processing.usage).toBeUndefined();
    sim.clock.advance(120);
    expect((await api.get(created.id)).body).toMatchObject({ status: "processing", progress: 50 });
    sim.clock.advance(120);
    const later = (await api.get(created.id)).body;
    expect(later).toMatchObject({ status: "completed", progress: 100, task_info: { can_cancel: false } });
    expect(later.results).toEqual([expect.stringMatching(new RegExp(`^${sim.url}/files/${created.id}\\.mp4\\?exp=\\d+$`))]);
  });

  it("reports progress that never decreases", async () => {
    const sim = await start({ genTimeMs: 200 });
    const api = client(sim);
    const { body } = await api.create(BASIC);
    const progress: number[] = [];
    for (let task = body; task.status !== "completed"; task = (await api.get(body.id)).body) {
      progress.push(task.progress ?? -1);
      sim.clock.advance(7);
    }
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
  });

  it("answers 404 for an unknown task and 400 invalid_task_id for a malformed one", async () => {
    const sim = await start();
    const unknown = await client(sim).get<ApiErrorBody>("task-unified-1774857405-zzzzzzzz");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ type: "not_found_error", code: "task_not_found" });
    for (const id of ["not-a-task", "task-unified-1-%E0"]) {
      const malformed = await client(sim).get<ApiErrorBody>(id);
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_task_id" });
    }
  });

  it("answers 404 in EvoLink's shape for an unknown route", async () => {
    const sim = await start();
    const res = await fetch(`${sim.url}/v2/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ApiErrorBody).error.type).toBe("not_found_error");
  });
});

describe("authentication and credits", () => {
  it("answers 401 without a key and with a wrong key", async () => {
    const sim = await start();
    for (const key of [null, "sk-wrong"]) {
      const create = await client(sim, key).create<ApiErrorBody>(BASIC);
      expect(create.status).toBe(401);
      expect(create.body.error.type).toBe("authentication_error");
      expect((await client(sim, key).get("task-unified-1-abc")).status).toBe(401);
    }
    expect(sim.ledger.creates.every((c) => c.taskId === null)).toBe(true);
  });

  it("accepts the key given in options", async () => {
    const sim = await start({ apiKey: "sk-test-123" });
    expect(sim.apiKey).toBe("sk-test-123");
    expect((await client(sim).create(BASIC)).status).toBe(200);
  });

  it("answers 402 once the credit quota cannot cover a reservation, and refunds failed tasks", async () => {
    const sim = await start({ creditQuota: 40 });
    const api = client(sim);
    const policy = await api.create({ ...BASIC, prompt: "[policy] x" }); // 17.8 reserved, refunded when it fails
    expect((await api.create(BASIC)).status).toBe(200); // 35.6 reserved
    const refused = await api.create<ApiErrorBody>(BASIC);
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ type: "insufficient_quota_error", code: "insufficient_quota" });
    sim.clock.advance(GEN_MS);
    expect((await api.get(policy.body.id)).body.status).toBe("failed");
    expect((await api.create(BASIC)).status).toBe(200);
    expect(sim.ledger.faults.map((f) => f.kind)).toContain("quota");
  });
});

describe("cancel", () => {
  it("cancels a pending task, which then stays cancelled and is not billed", async () => {
    const sim = await start({ genTimeMs: 500 });
    const api = client(sim);
    const { body } = await api.create(BASIC);
    const cancelled = await api.cancel(body.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", task_info: { can_cancel: false } });
    expect((await api.get(body.id)).body.status).toBe("cancelled");
    expect(sim.ledger.credits).toEqual({ reserved: 0, charged: 0 });
    expect(sim.ledger.cancels).toEqual([expect.objectContaining({ taskId: body.id, status: 200 })]);
  });

  it("cancels a processing task", async () => {
    const sim = await start({ genTimeMs: 500 });
    const api = client(sim);
    const { body } = await api.create(BASIC);
    sim.clock.advance(100);
    expect((await api.get(body.id)).body.status).toBe("processing");
    expect((await api.cancel(body.id)).body.status).toBe("cancelled");
  });

  it("refuses with 400 to cancel a finished task", async () => {
    const sim = await start();
    const api = client(sim);
    const { body } = await api.create(BASIC);
    sim.clock.advance(GEN_MS);
    const refused = await api.cancel<ApiErrorBody>(body.id);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("task_not_cancellable");
    expect(sim.ledger.credits).toEqual({ reserved: 0, charged: expect.closeTo(17.78, 2) });
  });
});

describe("prompt markers", () => {
  it("[policy] fails late with content_policy_violation", async () => {
    const sim = await start();
    const api = client(sim);
    const { body } = await api.create({ ...BASIC, prompt: "[policy] a riot" });
    sim.clock.advance(GEN_MS - 1);
    expect((await api.get(body.id)).body.status).toBe("processing");
    sim.clock.advance(1);
    const failed = (await api.get(body.id)).body;
    expect(failed.status).toBe("failed");
    expect(failed.error).toEqual({ code: "content_policy_violation", message: expect.any(String), type: "client_error" });
    expect(failed.results).toBeUndefined();
  });

  it("[transient] fails with service_error the first time, then succeeds", async () => {
    const sim = await start();
    const api = client(sim);
    const prompt = "[transient] a storm";
    const first = await api.create({ ...BASIC, prompt });
    sim.clock.advance(GEN_MS);
    expect((await api.get(first.body.id)).body).toMatchObject({ status: "failed", error: { code: "service_error" } });
    const second = await api.create({ ...BASIC, prompt });
    sim.clock.advance(GEN_MS);
    expect((await api.get(second.body.id)).body.status).toBe("completed");
  });

  it("[transient:2] fails the first two attempts", async () => {
    const sim = await start();
    const api = client(sim);
    const ends = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api.create({ ...BASIC, prompt: "[transient:2] x" });
      sim.clock.advance(GEN_MS);
      ends.push((await api.get(body.id)).body.status);
    }
    expect(ends).toEqual(["failed", "failed", "completed"]);
  });

  it("[never] stays processing below 100 and can be cancelled", async () => {
    const sim = await start({ genTimeMs: 50 });
    const api = client(sim);
    const { body } = await api.create({ ...BASIC, prompt: "[never] x" });
    sim.clock.advance(86_400_000);
    const stuck = (await api.get(body.id)).body;
    expect(stuck.status).toBe("processing");
    expect(stuck.progress).toBe(99);
    expect(sim.ledger.inFlight[sim.apiKey]).toBe(1);
    expect((await api.cancel(body.id)).body.status).toBe("cancelled");
    expect(sim.ledger.inFlight[sim.apiKey]).toBe(0);
  });

  it("[fail:<code>] fails with that code", async () => {
    const sim = await start();
    const api = client(sim);
    const { body } = await api.create({ ...BASIC, prompt: "[fail:quota_exceeded] x" });
    sim.clock.advance(GEN_MS);
    expect((await api.get(body.id)).body).toMatchObject({ status: "failed", error: { code: "quota_exceeded", type: "quota_error" } });
  });
});

describe("in-flight limit", () => {
  it("answers 429 with Retry-After over maxInFlight, and records the peak", async () => {
    const sim = await start({ maxInFlight: 2, genTimeMs: 300, retryAfterS: 3 });
    const api = client(sim);
    const a = await api.create(BASIC);
    await api.create(BASIC);
    const over = await api.create<ApiErrorBody>(BASIC);
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toBe("3");
    expect(over.body.error).toMatchObject({ type: "rate_limit_error", code: "too_many_concurrent_tasks" });
    expect(sim.ledger.maxInFlight[sim.apiKey]).toBe(2);
    sim.clock.advance(300);
    expect((await api.get(a.body.id)).body.status).toBe("completed");
    expect((await api.create(BASIC)).status).toBe(200);
    expect(sim.ledger.maxInFlight[sim.apiKey]).toBe(2);
  });
});
