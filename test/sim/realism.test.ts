import { describe, expect, it } from "vitest";
import type { Task } from "../../src/api/types.js";
import { BASIC, client, simulators } from "./sim-client.js";

const start = simulators();

/** Creates `n` tasks one after another and returns them as their creates answered. */
async function createMany(api: ReturnType<typeof client>, n: number): Promise<Task[]> {
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) tasks.push((await api.create({ ...BASIC, prompt: `${BASIC.prompt} ${i}` })).body);
  return tasks;
}

describe("the simulator's realism knobs", () => {
  it("answers an API request only once its latency has passed on the simulator's clock", async () => {
    const sim = await start({ latencyMs: 200 });
    const api = client(sim);
    const next = sim.clock.nextTimer();
    let answered = false;
    const created = api.create(BASIC).then((a) => ((answered = true), a));
    expect(await next).toBe(200);
    sim.clock.advance(199);
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    sim.clock.advance(1);
    expect((await created).status).toBe(200);
  });

  it("draws a latency jitter per request, within [latency, latency + jitter)", async () => {
    const sim = await start({ latencyMs: 100, latencyJitterMs: 200 });
    const api = client(sim);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const next = sim.clock.nextTimer();
      const answer = api.get("task-unified-1-00000000");
      const wait = await next;
      waits.push(wait);
      sim.clock.advance(wait);
      expect((await answer).status).toBe(404);
    }
    expect(waits.every((w) => w >= 100 && w < 300)).toBe(true);
    expect(new Set(waits).size).toBeGreaterThan(1);
  });

  it("keeps estimates exact by default and off by a per-task factor within the range when asked", async () => {
    const exact = client(await start({ genTimeMs: 10_000 }));
    expect((await createMany(exact, 3)).map((t) => t.task_info?.estimated_time)).toEqual([10, 10, 10]);

    const guessed = client(await start({ genTimeMs: 10_000, estimateError: { min: 0.6, max: 1.6 } }));
    const estimates = (await createMany(guessed, 20)).map((t) => t.task_info?.estimated_time ?? 0);
    expect(estimates.every((e) => e >= 6 && e <= 16)).toBe(true);
    expect(estimates.some((e) => e < 10) && estimates.some((e) => e > 10)).toBe(true);
  });

  it("draws log-normal generation times around the median, the same ones for the same seed", async () => {
    const endsOf = async (seed: number): Promise<number[]> => {
      const sim = await start({ genTimeMs: 10_000, genTimeSigma: 0.5, seed });
      return (await createMany(client(sim), 30)).map((t) => (t.task_info?.estimated_time ?? 0) * 1000);
    };
    const first = await endsOf(7);
    expect(await endsOf(7)).toEqual(first);
    const sorted = [...first].sort((a, b) => a - b);
    expect(sorted[0]).toBeLessThan(8_000);
    expect(sorted.at(-1)).toBeGreaterThan(13_000);
    expect(sorted[15]).toBeGreaterThan(6_000);
    expect(sorted[15]).toBeLessThan(15_000);
  });

  it("reports progress that rises fast and creeps near the end with an exponent below 1", async () => {
    const sim = await start({ genTimeMs: 1_000, progressExponent: 0.5 });
    const api = client(sim);
    const { body: task } = await api.create(BASIC);
    // Pending for the first fifth (200 ms), then 800 ms of processing: a quarter of it is progress sqrt(0.25) = 50.
    sim.clock.advance(400);
    expect((await api.get(task.id)).body.progress).toBe(50);
    sim.clock.advance(400);
    expect((await api.get(task.id)).body.progress).toBe(86);
  });
});
