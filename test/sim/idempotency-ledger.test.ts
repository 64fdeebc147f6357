import { describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../src/api/types.js";
import { BASIC, client, simulators } from "./sim-client.js";

const start = simulators();
const KEY = "shot-007.take-1.abcdef";

describe("Idempotency-Key", () => {
  it("is recorded and ignored by default: a repeat makes a second task", async () => {
    const sim = await start();
    const api = client(sim);
    const a = await api.create(BASIC, { "idempotency-key": KEY });
    const b = await api.create(BASIC, { "idempotency-key": KEY });
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get("idempotency-replayed")).toBeNull();
    expect(sim.ledger.creates.map((c) => [c.idempotencyKey, c.replayed])).toEqual([
      [KEY, false],
      [KEY, false],
    ]);
  });

  it("returns the first task with idempotency-replayed: true when honoured", async () => {
    const sim = await start({ honourIdempotencyKey: true });
    const api = client(sim);
    const a = await api.create(BASIC, { "idempotency-key": KEY });
    const b = await api.create(BASIC, { "idempotency-key": KEY });
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers.get("idempotency-replayed")).toBe("true");
    expect(a.headers.get("idempotency-replayed")).toBeNull();
    expect(sim.ledger.creates[1]).toMatchObject({ taskId: a.body.id, replayed: true });
    expect(sim.ledger.maxInFlight[sim.apiKey]).toBe(1);
    const other = await api.create(BASIC, { "idempotency-key": `${KEY}-2` });
    expect(other.body.id).not.toBe(a.body.id);
  });

  it("closes the ambiguous window when honoured: the retry after a reset finds the task", async () => {
    const sim = await start({ honourIdempotencyKey: true, resetAfterRate: 1 });
    const api = client(sim);
    await expect(api.create(BASIC, { "idempotency-key": KEY })).rejects.toThrow();
    sim.setFaults({ resetAfterRate: 0 });
    const retry = await api.create(BASIC, { "idempotency-key": KEY });
    expect(retry.body.id).toBe(sim.ledger.creates[0]?.taskId);
    expect(sim.ledger.inFlight[sim.apiKey]).toBe(1);
  });

  it("refuses a malformed key when honoured", async () => {
    const sim = await start({ honourIdempotencyKey: true });
    const answer = await client(sim).create<ApiErrorBody>(BASIC, { "idempotency-key": "short" });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("Idempotency-Key");
  });
});

describe("ledger", () => {
  it("records creates, polls, cancels, downloads and in-flight counts, and serves them at /__sim/ledger", async () => {
    const sim = await start({ genTimeMs: 200 });
    const api = client(sim);
    const [a, b, c] = await Promise.all([api.create(BASIC), api.create(BASIC), api.create({ ...BASIC, duration: 4 })]);
    expect(sim.ledger.inFlight).toEqual({ [sim.apiKey]: 3 });
    await api.cancel(c.body.id);
    sim.clock.advance(200);
    const done = (await api.get(a.body.id)).body;
    expect((await api.get(b.body.id)).body.status).toBe("completed");
    await (await fetch(done.results?.[0] ?? "", { headers: { range: "bytes=0-9" } })).arrayBuffer();

    const { ledger } = sim;
    expect(ledger.creates.map((r) => r.taskId).sort()).toEqual([a.body.id, b.body.id, c.body.id].sort());
    expect(ledger.creates[0]).toEqual({
      at_ms: sim.clock.now() - 200,
      taskId: expect.any(String),
      body: expect.any(Object),
      idempotencyKey: null,
      status: 200,
      replayed: false,
      fault: null,
    });
    expect(ledger.polls.map((p) => [p.taskId, p.taskStatus])).toEqual([
      [a.body.id, "completed"],
      [b.body.id, "completed"],
    ]);
    expect(ledger.cancels).toEqual([{ at_ms: sim.clock.now() - 200, taskId: c.body.id, status: 200, fault: null }]);
    expect(ledger.downloads).toEqual([
      { at_ms: sim.clock.now(), taskId: a.body.id, status: 206, ranged: true, range: { start: 0, end: 9 }, bytesSent: 10, truncated: false, fault: null },
    ]);
    expect(ledger.inFlight).toEqual({ [sim.apiKey]: 0 });
    expect(ledger.maxInFlight).toEqual({ [sim.apiKey]: 3 });
    expect(ledger.credits).toEqual({ reserved: 0, charged: expect.closeTo(2 * 17.784, 6) });

    const res = await fetch(`${sim.url}/__sim/ledger`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(ledger)));
  });
});
