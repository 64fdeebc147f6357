/**
 * How a run waits: Retry-After on 429, backoff through an outage of the API,
 * and a clear failure (never a hang) once a job's retries are spent.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import type { Handler } from "../helpers/scripted-server.js";
import { answer, useFakeApi } from "./fake-api.js";
import { useRunner, useSim } from "./runner.js";

describe("Retry-After", () => {
  it("sends no create before the time a 429 asked for has passed", async () => {
    const sim = await useSim({ maxInFlight: 1, retryAfterS: 1 });
    const runner = await useRunner(sim);
    const outcome = await runner.run(makeBatch(3), { concurrency: 3 });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(sim.ledger.creates.some((c) => c.status === 429)).toBe(true);
    // By the runner's own clock: from the moment it read a 429, no create is started for Retry-After.
    const { moves } = runner;
    const refusals = moves.flatMap((m, i) => (m.reason === "create-rate_limited" ? [i] : []));
    expect(refusals.length).toBeGreaterThan(0);
    for (const i of refusals) {
      const after = moves.slice(i + 1).filter((m) => m.to === "submitting");
      for (const s of after) expect(s.at_ms - moves[i]!.at_ms).toBeGreaterThanOrEqual(1_000);
    }
  });

  it("waits the seconds of the Retry-After header, not its own shorter backoff", async () => {
    const api = await useFakeApi();
    api.onCreate(
      (_req, res) => answer.error(res, 429, "rate_limit_exceeded", { "retry-after": "2" }),
      (_req, res) => answer.task(res, "t1", "pending"),
    );
    api.onGet("t1", (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }));
    api.onFile("t1", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const started = Date.now();
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(api.creates()).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(runner.notices.some((n) => /rate limited: pausing creates for 2 s/.test(n))).toBe(true);
  });
});

describe("a retry budget that runs out", () => {
  it("keeps a job whose creates keep getting 5xx queued, stops the run's creates, and says it gave up and why", async () => {
    const sim = await useSim({ rate5xx: 1, faultRoutes: ["create"] });
    const runner = await useRunner(sim);
    const emitter = new RunnerEmitter();
    const outages: string[] = [];
    emitter.on("api:unreachable", (e) => outages.push(e.message));
    const outcome = await runner.run(makeBatch(1), { retryWindowMs: 1_000 }, { emitter });

    expect(outcome.stoppedBy).toBe("unreachable");
    expect(outcome.jobs[0]).toMatchObject({ state: "queued", error_class: "transient" });
    expect(outages).toHaveLength(1);
    expect(outages[0]).toMatch(/^EvoLink POST \/v1\/videos\/generations answered 50/);
    expect(outcome.jobs[0]?.error_message).toMatch(
      /^gave up after \d+ tries over \d+(\.\d)? s \(the retry window\): EvoLink POST \/v1\/videos\/generations answered 50[03]/,
    );
    expect(sim.ledger.creates.length).toBeGreaterThan(1);
    expect(sim.ledger.creates.every((c) => c.taskId === null)).toBe(true);
  });

  it("stops sending when the API answers 429 to every create for the whole window with nothing in flight, leaving the jobs queued", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.error(res, 429, "rate_limit_exceeded", { "retry-after": "1" }));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(3), { retryWindowMs: 1_500 });

    expect(outcome.stoppedBy).toBe("rate_limited");
    expect(outcome.jobs.map((j) => j.state)).toEqual(["queued", "queued", "queued"]);
    expect(outcome.jobs.some((j) => /^gave up after \d+ tries over \d+(\.\d)? s \(the retry window\): .*answered 429/.test(j.error_message ?? ""))).toBe(true);
    expect(runner.notices.some((n) => n.startsWith("the API refused every create for the retry window (429)"))).toBe(true);
    expect(api.creates().length).toBeGreaterThanOrEqual(2);
  });

  it("stops at once, rather than sleep, when a 429 asks for a wait longer than the retry window", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.error(res, 429, "rate_limit_exceeded", { "retry-after": "3600" }));
    const runner = await useRunner(api);
    const started = Date.now();
    const outcome = await runner.run(makeBatch(1), { retryWindowMs: 60_000 });

    expect(outcome.stoppedBy).toBe("rate_limited");
    expect(outcome.jobs[0]?.state).toBe("queued");
    expect(outcome.jobs[0]?.error_message).toMatch(/^gave up after 1 try over 0\.0 s \(the retry window\): .*answered 429.* \(Retry-After 3600 s\)$/);
    expect(api.creates()).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("an outage that ends", () => {
  it("tells once that the API cannot be reached and once that it answers again, however many creates were retried", async () => {
    const api = await useFakeApi();
    const down: Handler = (_req, res) => answer.error(res, 503, "service_unavailable");
    // Two rounds of both jobs' creates refused, then both answered: a round's answers never straddle the outage's end.
    api.onCreate(
      down,
      down,
      down,
      down,
      (_req, res) => answer.task(res, "t1", "pending"),
      (_req, res) => answer.task(res, "t2", "pending"),
    );
    for (const id of ["t1", "t2"]) {
      api.onGet(id, (_req, res) => answer.task(res, id, "completed", { results: [api.fileUrl(id)] }));
      api.onFile(id, (req, res) => answer.video(res, req));
    }
    const runner = await useRunner(api);
    const emitter = new RunnerEmitter();
    const told: string[] = [];
    emitter.on("api:unreachable", () => told.push("unreachable"));
    emitter.on("api:reachable", () => told.push("reachable"));
    const outcome = await runner.run(makeBatch(2), { concurrency: 2, retryWindowMs: 20_000 }, { emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done"]);
    expect(api.creates()).toHaveLength(6);
    expect(told).toEqual(["unreachable", "reachable"]);
  });
});

describe("tasks that keep failing with a retry-later code", () => {
  it("fail the job once --max-attempts tasks failed, saying the attempts ran out", async () => {
    const sim = await useSim();
    const runner = await useRunner(sim);
    const batch = makeBatch(0, { jobs: [makeJob(1, { request: makeRequest({ prompt: "[transient:5] a storm at sea" }) })] });
    const outcome = await runner.run(batch, { maxAttempts: 2 });

    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_class: "transient", error_code: "service_error" });
    expect(outcome.jobs[0]?.error_message).toBe("2 tasks failed this run, the most --max-attempts allows (2): The generation service failed. Try again later.");
    expect(sim.ledger.creates).toHaveLength(2);
  });
});

describe("the API going away mid-run", () => {
  it.each([
    ["answers 5xx to everything", { rate5xx: 1 }, { rate5xx: 0 }],
    ["drops every connection unanswered", { resetBeforeRate: 1 }, { resetBeforeRate: 0 }],
  ] as const)("waits with growing backoff while it %s, and finishes every job, each created once", async (_name, down, up) => {
    const sim = await useSim({ genTimeMs: 300, jitterMs: 0 });
    const runner = await useRunner(sim);
    const batch = makeBatch(3);
    let started = false;
    const emitter = new RunnerEmitter();
    emitter.on("job:state", ({ to }) => {
      if (to !== "generating" || started) return;
      started = true;
      sim.setFaults(down);
    });
    // The outage lasts until one task has failed to be read three times.
    const readsRefused = new Map<string, number>();
    onTestFinished(
      sim.ledger.onFault(({ route, taskId }) => {
        if (route !== "get" || taskId === null) return;
        readsRefused.set(taskId, (readsRefused.get(taskId) ?? 0) + 1);
        if (readsRefused.get(taskId) === 3) sim.setFaults(up);
      }),
    );
    const outcome = await runner.run(batch, { concurrency: 2, retryWindowMs: 20_000 }, { emitter, random: () => 0.3 });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(sim.ledger.creates.filter((c) => c.taskId !== null)).toHaveLength(3);
    // One task's failed reads, spaced by a backoff that grows.
    const failedReads = new Map<string, { at_ms: number }[]>();
    for (const p of sim.ledger.polls.filter((p) => p.fault !== null)) failedReads.set(p.taskId, [...(failedReads.get(p.taskId) ?? []), p]);
    const longest = [...failedReads.values()].sort((a, b) => b.length - a.length)[0] ?? [];
    expect(longest.length).toBeGreaterThanOrEqual(3);
    const gaps = longest.slice(1).map((p, i) => p.at_ms - longest[i]!.at_ms);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);
  });
});
