/**
 * The task list and the batch read (taskListing), and the create answered
 * 200 with a body that is no task (unreadableRate, `[unreadable]`).
 */
import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../src/api/types.js";
import type { Simulator } from "../../src/sim/index.js";
import { BASIC, GEN_MS, client, simulators } from "./sim-client.js";

const start = simulators();

/** Creates `n` tasks of one prompt each, a second apart on the simulator's clock; returns their ids, oldest first. */
async function createTasks(sim: Simulator & { clock: { advance(ms: number): void } }, n: number, body: Record<string, unknown> = BASIC): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await client(sim).create({ ...body, prompt: `${String(body.prompt)} #${i}` })).body.id);
    sim.clock.advance(1_000);
  }
  return ids;
}

/** POSTs a create and reads the answer as text, which a JSON client could not. */
async function rawCreate(sim: Simulator, prompt: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${sim.url}/v1/videos/generations`, {
    method: "POST",
    headers: { authorization: `Bearer ${sim.apiKey}`, "content-type": "application/json" },
    body: JSON.stringify({ ...BASIC, prompt }),
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

describe("the task list", () => {
  it("lists the key's tasks newest first, with created_at in seconds and no result links", async () => {
    const sim = await start({ taskListing: true });
    const ids = await createTasks(sim, 2);
    sim.clock.advance(GEN_MS);
    const { status, body } = await client(sim).list();
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: 2, page: 1, page_size: 20 });
    expect(body.data.map((t) => t.id)).toEqual([...ids].reverse());
    const created = sim.ledger.creates.map((c) => Math.floor(c.at_ms / 1000));
    expect(body.data[1]).toEqual({
      id: ids[0],
      object: "video.generation.task",
      model: BASIC.model,
      status: "completed",
      progress: 100,
      type: "video",
      created_at: created[0],
      has_results: true,
      credits_used: expect.closeTo(17.784, 6),
    });
    expect(JSON.stringify(body)).not.toMatch(/"results"|\/files\//);
  });

  it("pages with page and page_size, and filters by status and model", async () => {
    const sim = await start({ taskListing: true, genTimeMs: 10_000 });
    const ids = await createTasks(sim, 5);
    await client(sim).cancel(ids[1] ?? "");
    const pages = await Promise.all([1, 2, 3].map(async (page) => (await client(sim).list(`page=${page}&page_size=2`)).body.data.map((t) => t.id)));
    expect(pages).toEqual([[ids[4], ids[3]], [ids[2], ids[1]], [ids[0]]]);
    expect((await client(sim).list("status=cancelled")).body.data.map((t) => t.id)).toEqual([ids[1]]);
    expect((await client(sim).list("model=seedance-2.0-text-to-video")).body).toMatchObject({ data: [], total: 0 });
    // Created a second apart, the newest is still in its first fifth (pending).
    expect((await client(sim).list(`model=${BASIC.model}&status=processing`)).body.data.map((t) => t.id)).toEqual([ids[3], ids[2], ids[0]]);
  });

  it.each([
    ["page_size=500", "page_size"],
    ["page=0", "page"],
    ["status=queued", "status"],
  ])("refuses %s with a 400 naming the parameter", async (query, param) => {
    const sim = await start({ taskListing: true });
    const { status, body } = await client(sim).list<ApiErrorBody>(query);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: "invalid_parameter", param });
  });

  it("asks for the API key like every route", async () => {
    const sim = await start({ taskListing: true });
    expect((await client(sim, "sk-wrong").list()).status).toBe(401);
    expect((await client(sim, "sk-wrong").batch({ task_ids: [] })).status).toBe(401);
  });

  it("answers 404 to both routes when taskListing is off, as to any route it does not offer, and records them", async () => {
    const sim = await start();
    const list = await client(sim).list<ApiErrorBody>("model=x");
    const batch = await client(sim).batch<ApiErrorBody>({ task_ids: ["task-unified-1-a"] });
    expect([list.status, batch.status]).toEqual([404, 404]);
    expect(list.body.error.type).toBe("not_found_error");
    expect(sim.ledger.lists).toEqual([
      expect.objectContaining({ route: "list", asked: "model=x", status: 404, returned: 0 }),
      expect.objectContaining({ route: "batch", asked: ["task-unified-1-a"], status: 404 }),
    ]);
  });

  it("takes gateway faults on its own routes", async () => {
    const sim = await start({ taskListing: true, rate5xx: 1, faultRoutes: ["list"] });
    expect((await client(sim).create(BASIC)).status).toBe(200);
    expect((await client(sim).list()).status).toBeGreaterThanOrEqual(500);
    expect(sim.ledger.lists[0]?.fault).toMatch(/server_error|unavailable/);
  });
});

describe("the batch read", () => {
  it("returns the task objects it knows, in the order asked, and leaves unknown ids out", async () => {
    const sim = await start({ taskListing: true });
    const ids = await createTasks(sim, 2);
    const { status, body } = await client(sim).batch({ task_ids: [ids[1], "task-unified-1-nosuch", ids[0]] });
    expect(status).toBe(200);
    expect(body.data.map((t) => [t.id, t.status])).toEqual([
      [ids[1], "completed"],
      [ids[0], "completed"],
    ]);
    expect(sim.ledger.lists[0]).toMatchObject({ route: "batch", returned: 2 });
  });

  it.each([
    ["more than 50 ids", { task_ids: Array.from({ length: 51 }, (_, i) => `task-unified-1-${i}`) }],
    ["ids that are not strings", { task_ids: [1, 2] }],
    ["no task_ids", {}],
  ])("refuses %s with a 400", async (_name, body) => {
    const sim = await start({ taskListing: true });
    const answer = await client(sim).batch<ApiErrorBody>(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("task_ids");
  });
});

describe("a create answered 200 with a body that is no task", () => {
  it("makes the task first: it exists, runs and is billed", async () => {
    const sim = await start({ unreadableRate: 1 });
    const answer = await rawCreate(sim, "a lighthouse at dusk");
    expect(answer.status).toBe(200);
    expect(() => JSON.parse(answer.text) as unknown).toThrow();
    const [record] = sim.ledger.creates;
    expect(record).toMatchObject({ status: 200, fault: "unreadable", taskId: expect.any(String) });
    expect(sim.ledger.faults).toEqual([expect.objectContaining({ route: "create", kind: "unreadable", taskId: record?.taskId })]);
    sim.clock.advance(GEN_MS);
    expect((await client(sim).get(record?.taskId ?? "")).body.status).toBe("completed");
    expect(sim.ledger.credits.charged).toBeCloseTo(17.784, 6);
  });

  it("answers an HTML page, cut-off JSON, then nothing to the first creates of a prompt marked [unreadable:3], then a task", async () => {
    const sim = await start();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await rawCreate(sim, "[unreadable:3] a storm"));
    expect(answers.map((a) => [a.status, a.type, a.text.slice(0, 6)])).toEqual([
      [200, "text/html", "<html>"],
      [200, "application/json", '{"id":'],
      [200, "application/json", ""],
      [200, "application/json", '{"id":'],
    ]);
    expect(JSON.parse(answers[3]?.text ?? "")).toMatchObject({ status: "pending" });
    expect(sim.ledger.creates.map((c) => c.fault)).toEqual(["unreadable", "unreadable", "unreadable", null]);
  });

  it("spoils only the first create of a prompt marked [unreadable]", async () => {
    const sim = await start();
    await rawCreate(sim, "[unreadable] a storm");
    await rawCreate(sim, "[unreadable] a storm");
    await rawCreate(sim, "[unreadable] a calm sea");
    expect(sim.ledger.creates.map((c) => c.fault)).toEqual(["unreadable", null, "unreadable"]);
  });

  it("does not spoil the replay of an Idempotency-Key: nothing new was made", async () => {
    const sim = await start({ honourIdempotencyKey: true });
    const key = { "idempotency-key": "shotlist-replayed-key-1" };
    await client(sim)
      .create({ ...BASIC, prompt: "[unreadable] a storm" }, key)
      .catch(() => undefined);
    const replay = await client(sim).create({ ...BASIC, prompt: "[unreadable] a storm" }, key);
    expect(replay.headers.get("idempotency-replayed")).toBe("true");
    expect(replay.body.id).toBe(sim.ledger.creates[0]?.taskId);
  });
});
