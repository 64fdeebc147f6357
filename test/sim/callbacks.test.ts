import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiErrorBody, Task } from "../../src/api/types.js";
import { BASIC, GEN_MS, client, simulators } from "./sim-client.js";

const start = simulators();

interface Receiver {
  url: string;
  bodies: Task[];
  /** Resolves when `n` requests have arrived. */
  received(n: number): Promise<void>;
}

const receivers: Server[] = [];
afterEach(async () => {
  for (const server of receivers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

/** A loopback callback endpoint answering the statuses given in turn (the last one repeats); 0 never answers. */
async function receiver(...answers: number[]): Promise<Receiver> {
  const bodies: Task[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString()));
    req.on("end", () => {
      bodies.push(JSON.parse(text) as Task);
      waiters.splice(0).forEach((w) => w());
      const status = answers[Math.min(bodies.length - 1, answers.length - 1)] ?? 200;
      if (status !== 0) res.writeHead(status).end();
    });
  });
  receivers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const received = async (n: number): Promise<void> => {
    while (bodies.length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, received };
}

describe("callbacks", () => {
  it("retries a failing receiver at base, 2 x base, and stops once it answers 2xx", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackBackoffMs: 1000 });
    const hook = await receiver(500, 503, 200);
    const { body } = await client(sim).create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    const ended = sim.clock.now();
    expect(await sim.clock.nextTimer()).toBe(1000);
    sim.clock.advance(1000);
    expect(await sim.clock.nextTimer()).toBe(2000);
    sim.clock.advance(2000);
    await expect.poll(() => sim.ledger.callbacks[0]?.delivered).toBe(true);
    expect(sim.clock.pending).toBe(0);
    expect(hook.bodies.map((b) => b.id)).toEqual([body.id, body.id, body.id]);
    expect(hook.bodies[0]).toMatchObject({ status: "completed", results: [expect.any(String)], progress: 100 });
    expect(sim.ledger.callbacks[0]).toMatchObject({ taskId: body.id, url: hook.url, taskStatus: "completed" });
    expect(sim.ledger.callbacks[0]?.attempts.map((a) => [a.at_ms - ended, a.status])).toEqual([
      [0, 500],
      [1000, 503],
      [3000, 200],
    ]);
  });

  it("gives up after three retries", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackBackoffMs: 1000 });
    const hook = await receiver(500);
    await client(sim).create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    for (const backoff of [1000, 2000, 4000]) {
      expect(await sim.clock.nextTimer()).toBe(backoff);
      sim.clock.advance(backoff);
    }
    await expect.poll(() => sim.ledger.callbacks[0]?.attempts.length).toBe(4);
    expect(sim.clock.pending).toBe(0); // no fifth attempt waits
    expect(hook.bodies).toHaveLength(4);
    expect(sim.ledger.callbacks[0]?.delivered).toBe(false);
  });

  it("counts a receiver slower than callbackTimeoutMs as a failed attempt", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackBackoffMs: 1000, callbackTimeoutMs: 10_000 });
    const hook = await receiver(0, 204);
    await client(sim).create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    const ended = sim.clock.now();
    await hook.received(1);
    sim.clock.advance(10_000);
    expect(await sim.clock.nextTimer()).toBe(1000);
    sim.clock.advance(1000);
    await expect.poll(() => sim.ledger.callbacks[0]?.delivered).toBe(true);
    expect(sim.ledger.callbacks[0]?.attempts).toEqual([
      { at_ms: ended + 10_000, status: null, error: expect.any(String) },
      { at_ms: ended + 11_000, status: 204, error: null },
    ]);
  });

  it("calls back for failed and cancelled tasks", async () => {
    const sim = await start({ allowHttpCallbacks: true });
    const hook = await receiver(200);
    const api = client(sim);
    await api.create({ ...BASIC, prompt: "[policy] x", callback_url: hook.url });
    const cancelled = await api.create({ ...BASIC, callback_url: hook.url });
    await api.cancel(cancelled.body.id);
    await hook.received(1);
    sim.clock.advance(GEN_MS);
    await hook.received(2);
    expect(hook.bodies.map((b) => [b.status, b.error?.code])).toEqual([
      ["cancelled", undefined],
      ["failed", "content_policy_violation"],
    ]);
  });

  it("leaves no timer behind on close: a retry waiting, an attempt in flight, a request held by delayMs", async () => {
    const sim = await start({ allowHttpCallbacks: true });
    const failing = await receiver(500);
    const hanging = await receiver(0);
    const api = client(sim);
    const { body } = await api.create({ ...BASIC, callback_url: failing.url });
    await api.create({ ...BASIC, callback_url: hanging.url });
    sim.clock.advance(GEN_MS);
    expect(await sim.clock.nextTimer()).toBe(1000); // the failing receiver's retry
    await hanging.received(1);
    sim.setFaults({ delayMs: 60_000 });
    const held = sim.clock.nextTimer();
    const answer = api.get(body.id).catch(() => "reset");
    expect(await held).toBe(60_000);
    expect(sim.clock.pending).toBe(3);
    await sim.close();
    expect(sim.clock.pending).toBe(0);
    expect(await answer).toBe("reset");
  });

  it("accepts http callbacks only to loopback under allowHttpCallbacks, and https only otherwise", async () => {
    const lenient = await start({ allowHttpCallbacks: true });
    const refused = await client(lenient).create<ApiErrorBody>({ ...BASIC, callback_url: "http://example.com/hook" });
    expect(refused.body.error.param).toBe("callback_url");
    expect((await client(lenient).create({ ...BASIC, callback_url: "http://localhost:9/hook" })).status).toBe(200);
    const strict = await start();
    expect((await client(strict).create({ ...BASIC, callback_url: "https://hooks.example.com/evolink" })).status).toBe(200);
    expect((await client(strict).create({ ...BASIC, callback_url: "http://localhost:9/hook" })).status).toBe(400);
  });
});

describe("callback faults", () => {
  it("drops a callback: recorded, never sent", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackDropRate: 1 });
    const hook = await receiver(204);
    const api = client(sim);
    const dropped = await api.create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    sim.setFaults({ callbackDropRate: 0 });
    const sent = await api.create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    await expect.poll(() => sim.ledger.callbacks[1]?.delivered).toBe(true);
    expect(hook.bodies.map((b) => b.id)).toEqual([sent.body.id]);
    expect(sim.ledger.callbacks.map((c) => [c.taskId, c.fault, c.attempts.length])).toEqual([
      [dropped.body.id, "callback_dropped", 0],
      [sent.body.id, null, 1],
    ]);
  });

  it("sends a callback twice, both copies alike", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackDuplicateRate: 1 });
    const hook = await receiver(204);
    const { body } = await client(sim).create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    await hook.received(2);
    expect(hook.bodies[0]).toEqual(hook.bodies[1]);
    expect(sim.ledger.callbacks.map((c) => [c.taskId, c.fault])).toEqual([
      [body.id, null],
      [body.id, "callback_duplicated"],
    ]);
  });

  it("sends a callback callbackDelayMs after its task ended", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackDelayMs: 5_000 });
    const hook = await receiver(204);
    await client(sim).create({ ...BASIC, callback_url: hook.url });
    const wait = sim.clock.nextTimer();
    sim.clock.advance(GEN_MS);
    const ended = sim.clock.now();
    expect(await wait).toBe(5_000);
    expect(hook.bodies).toEqual([]);
    sim.clock.advance(5_000);
    await expect.poll(() => sim.ledger.callbacks[0]?.attempts.map((a) => a.at_ms - ended)).toEqual([5_000]);
  });

  it("holds a callback back until the next one went, so they are sent out of order", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackReorderRate: 1 });
    const hook = await receiver(204);
    const api = client(sim);
    const first = await api.create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(10);
    const second = await api.create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS - 10);
    sim.setFaults({ callbackReorderRate: 0 });
    sim.clock.advance(10);
    await hook.received(2);
    expect(sim.ledger.callbacks.map((c) => [c.taskId, c.fault])).toEqual([
      [second.body.id, null],
      [first.body.id, "callback_reordered"],
    ]);
  });

  it("sends a held callback after a second when no other comes", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackReorderRate: 1 });
    const hook = await receiver(204);
    await client(sim).create({ ...BASIC, callback_url: hook.url });
    const hold = sim.clock.nextTimer();
    sim.clock.advance(GEN_MS);
    expect(await hold).toBe(1_000);
    expect(hook.bodies).toEqual([]);
    sim.clock.advance(1_000);
    await hook.received(1);
  });

  it("sends, beside a task's callback, one for a task of another account that the API does not know", async () => {
    const sim = await start({ allowHttpCallbacks: true, callbackForeignRate: 1 });
    const hook = await receiver(204);
    const api = client(sim);
    const { body } = await api.create({ ...BASIC, callback_url: hook.url });
    sim.clock.advance(GEN_MS);
    await hook.received(2);
    const foreign = hook.bodies.find((b) => b.id !== body.id);
    expect(foreign).toMatchObject({ id: expect.stringMatching(/^task-unified-\d+-[a-z0-9]+$/), status: "completed" });
    expect((await api.get(foreign?.id ?? "")).status).toBe(404);
    expect(sim.ledger.callbacks.map((c) => c.fault).sort()).toEqual(["callback_foreign", null].sort());
  });
});
