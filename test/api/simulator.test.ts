/** The client against the project's EvoLink simulator (src/sim), over real sockets. */
import { describe, expect, it, onTestFinished } from "vitest";
import { ApiError, createApiClient, type ApiClient, type CreateRequest, type Task } from "../../src/api/index.js";
import { startSimulator, type SimOptions, type Simulator } from "../../src/sim/index.js";

const REQUEST: CreateRequest = {
  model: "seedance-1.5-pro",
  prompt: "a paper boat on a puddle",
  duration: 5,
  quality: "480p",
  aspect_ratio: "16:9",
  generate_audio: false,
};

async function setUp(options: Partial<SimOptions> = {}, apiKey?: string): Promise<{ sim: Simulator; client: ApiClient }> {
  const sim = await startSimulator({ genTimeMs: 200, jitterMs: 0, ...options });
  const client = createApiClient({ baseUrl: sim.url, apiKey: apiKey ?? sim.apiKey, timeoutMs: 5000 });
  onTestFinished(async () => {
    await client.close();
    await sim.close();
  });
  return { sim, client };
}

async function until(read: () => Promise<Task>, done: (t: Task) => boolean): Promise<Task> {
  for (;;) {
    const task = await read();
    if (done(task)) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("against the simulator", () => {
  it("creates a task and reads it until it completes with a result URL", async () => {
    const { sim, client } = await setUp();
    const created = await client.createTask(REQUEST, { idempotencyKey: "round-trip-key-0001" });
    expect(created.status).toBe("pending");
    const done = await until(
      () => client.getTask(created.id),
      (t) => t.status === "completed",
    );
    expect(done.id).toBe(created.id);
    expect(done.results?.length).toBe(1);
    expect(sim.ledger.creates[0]).toMatchObject({ taskId: created.id, idempotencyKey: "round-trip-key-0001", status: 200 });
  });

  it("gets auth for a wrong key and invalid for an unknown task", async () => {
    const { client } = await setUp({}, "sk-wrong");
    await expect(client.createTask(REQUEST, { idempotencyKey: "auth-check-key-0001" })).rejects.toMatchObject({ kind: "auth", status: 401 });
    const { client: good } = await setUp();
    const err = await good.getTask("task-that-does-not-exist").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).kind).toBe("invalid");
  });

  it("calls a create whose answer is lost ambiguous, and the task does exist", async () => {
    const { sim, client } = await setUp({ resetAfterRate: 1 });
    await expect(client.createTask(REQUEST, { idempotencyKey: "lost-answer-key-0001" })).rejects.toMatchObject({ kind: "ambiguous" });
    expect(sim.ledger.creates[0]?.taskId).not.toBeNull();
  });

  it("reads the simulator's 429 Retry-After", async () => {
    const { client } = await setUp({ maxInFlight: 1, retryAfterS: 3 });
    await client.createTask(REQUEST, { idempotencyKey: "in-flight-key-00001" });
    await expect(client.createTask({ ...REQUEST, prompt: "another" }, { idempotencyKey: "in-flight-key-00002" })).rejects.toMatchObject({
      kind: "rate_limited",
      retryAfterMs: 3000,
    });
  });
});
