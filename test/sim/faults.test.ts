import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../src/api/types.js";
import type { Simulator } from "../../src/sim/index.js";
import { BASIC, GEN_MS, client, simulators } from "./sim-client.js";

const start = simulators();

async function statuses(sim: Simulator, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client(sim).create(BASIC)).status);
  return out;
}

describe("gateway faults", () => {
  it("resets the connection before answering a create, making no task", async () => {
    const sim = await start({ resetBeforeRate: 1 });
    await expect(client(sim).create(BASIC)).rejects.toThrow();
    expect(sim.ledger.creates).toEqual([expect.objectContaining({ taskId: null, status: null, fault: "reset_before", body: BASIC })]);
    expect(sim.ledger.inFlight).toEqual({});
  });

  it("resets after making the task (the ambiguous window): the task exists and runs", async () => {
    const sim = await start({ resetAfterRate: 1 });
    await expect(client(sim).create(BASIC)).rejects.toThrow();
    const [record] = sim.ledger.creates;
    expect(record).toMatchObject({ status: null, fault: "reset_after", taskId: expect.any(String) });
    sim.setFaults({ resetAfterRate: 0 });
    sim.clock.advance(GEN_MS);
    expect((await client(sim).get(record?.taskId ?? "")).body.status).toBe("completed");
  });

  it("answers random 429s with Retry-After", async () => {
    const sim = await start({ rate429: 1, retryAfterS: 2 });
    const answer = await client(sim).create<ApiErrorBody>(BASIC);
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("2");
    expect(answer.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded", fallback_suggestion: expect.any(String) });
    expect(sim.ledger.creates[0]).toMatchObject({ taskId: null, status: 429, fault: "rate_limit" });
  });

  it("answers random 500s and 503s with their EvoLink types", async () => {
    const sim = await start({ rate5xx: 1 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => client(sim).create<ApiErrorBody>(BASIC)));
    const types = new Map(answers.map((a) => [a.status, a.body.error.type]));
    expect(types).toEqual(
      new Map([
        [500, "internal_server_error"],
        [503, "service_unavailable_error"],
      ]),
    );
    expect(sim.ledger.creates.every((c) => c.taskId === null)).toBe(true);
  });

  it("answers the key check before a random fault, and still records the fault", async () => {
    const sim = await start({ rate5xx: 1 });
    expect((await client(sim, "sk-wrong").create(BASIC)).status).toBe(401);
    expect(["server_error", "unavailable"]).toContain(sim.ledger.creates[0]?.fault);
  });

  it("delays answers by delayMs", async () => {
    const sim = await start({ delayMs: 150 });
    const held = sim.clock.nextTimer();
    const answer = client(sim).create(BASIC);
    expect(await held).toBe(150);
    sim.clock.advance(149);
    const ledger = (await (await fetch(`${sim.url}/__sim/ledger`)).json()) as typeof sim.ledger;
    expect(ledger.creates).toEqual([expect.objectContaining({ status: null, fault: "delay" })]);
    sim.clock.advance(1);
    expect((await answer).status).toBe(200);
    expect(sim.ledger.faults.map((f) => f.kind)).toEqual(["delay"]);
  });

  it("limits gateway faults to faultRoutes", async () => {
    const sim = await start({ rate5xx: 1, faultRoutes: ["get"] });
    const { body, status } = await client(sim).create(BASIC);
    expect(status).toBe(200);
    expect((await client(sim).get(body.id)).status).toBeGreaterThanOrEqual(500);
  });

  it("applies faults to polls, cancels and downloads too", async () => {
    const sim = await start();
    const api = client(sim);
    const { body } = await api.create(BASIC);
    sim.clock.advance(GEN_MS);
    const done = (await api.get(body.id)).body;
    sim.setFaults({ rate429: 1 });
    expect((await api.get(body.id)).status).toBe(429);
    expect((await api.cancel(body.id)).status).toBe(429);
    expect((await fetch(done.results?.[0] ?? "")).status).toBe(429);
    expect(sim.ledger.polls.at(-1)).toMatchObject({ status: 429, fault: "rate_limit", taskStatus: null });
    expect(sim.ledger.downloads.at(-1)).toMatchObject({ status: 429, fault: "rate_limit", bytesSent: 0 });
  });

  it("changes faults at runtime, in process and over POST /__sim/faults", async () => {
    const sim = await start({ rate429: 1 });
    expect(await statuses(sim, 2)).toEqual([429, 429]);
    sim.setFaults({ rate429: 0 });
    expect(await statuses(sim, 2)).toEqual([200, 200]);
    const set = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ rate5xx: 1, faultRoutes: ["create"] }) });
    expect(await set.json()).toMatchObject({ rate5xx: 1, rate429: 0, faultRoutes: ["create"] });
    expect((await statuses(sim, 1))[0]).toBeGreaterThanOrEqual(500);
    for (const bad of [{ apiKey: "x" }, { rate429: 2 }, { delayMs: "5" }, { faultRoutes: ["everything"] }]) {
      const refused = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify(bad) });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as ApiErrorBody).error.message).toContain(Object.keys(bad)[0]);
    }
    expect((await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ maxInFlight: null }) })).status).toBe(200);
  });
});

describe("task faults", () => {
  it("fails tasks at failRate with a retryable failure code", async () => {
    const sim = await start({ failRate: 1 });
    const api = client(sim);
    const { body } = await api.create(BASIC);
    sim.clock.advance(GEN_MS);
    const failed = (await api.get(body.id)).body;
    expect(failed.status).toBe("failed");
    expect(["service_error", "generation_timeout", "generation_failed_no_content", "resource_exhausted"]).toContain(failed.error?.code);
    expect(failed.error?.type).toBe("server_error");
    expect(sim.ledger.faults).toEqual([expect.objectContaining({ route: "task", kind: "task_failure", taskId: body.id })]);
  });

  it("draws generation times from genTimeMs ± jitterMs", async () => {
    const sim = await start({ genTimeMs: 100, jitterMs: 80 });
    const api = client(sim);
    const ids = await Promise.all(Array.from({ length: 6 }, async () => (await api.create(BASIC)).body.id));
    // When each task is first seen completed, polling every 5 ms of the simulator's time.
    const ends = new Map<string, number>();
    for (let t = 0; ends.size < ids.length; t += 5) {
      for (const id of ids.filter((i) => !ends.has(i))) if ((await api.get(id)).body.status === "completed") ends.set(id, t);
      sim.clock.advance(5);
    }
    const times = [...ends.values()];
    expect(Math.min(...times)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...times)).toBeLessThanOrEqual(180);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(15);
  });
});

describe("seeded determinism", () => {
  async function run(seed: number): Promise<{ statuses: number[]; ids: string[] }> {
    const sim = await start({ seed, rate5xx: 0.3, rate429: 0.2 });
    const result = await statuses(sim, 30);
    return { statuses: result, ids: sim.ledger.creates.flatMap((c) => (c.taskId === null ? [] : [c.taskId.replace(/^task-unified-\d+-/, "")])) };
  }

  it("repeats the same faults and task ids from the same seed", async () => {
    const a = await run(7);
    const b = await run(7);
    expect(b).toEqual(a);
    expect(new Set(a.statuses).size).toBeGreaterThan(2);
    expect(await run(8)).not.toEqual(a);
  });
});
