/**
 * The runner in-process against any API (the simulator or a fake one), with
 * a real SQLite state file and batch folder in a temp directory, removed when
 * the test ends. Every state change and notice is recorded for assertions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";
import { createApiClient } from "../../src/api/index.js";
import { createLocalFolder } from "../../src/deliver/index.js";
import type { Batch } from "../../src/manifest/job.js";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import type { RunnerEventMap } from "../../src/runner/events.js";
import { runBatch, type RunOutcome, type RunnerConfig } from "../../src/runner/scheduler.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { SimOptions } from "../../src/sim/options.js";
import { openStore } from "../../src/store/index.js";
import { testConfig } from "../runner/harness.js";

export interface RunOptions {
  /** The API client's limit on each call. @default 5000 */
  timeoutMs?: number;
  apiKey?: string;
  emitter?: RunnerEmitter;
  signal?: AbortSignal;
  /** Fixes the backoff's jitter. @default () => 0.5 */
  random?: () => number;
}

export interface FaultRunner {
  /** The batch folder clips are saved in. */
  root: string;
  /** Every job:state event of every run so far. */
  moves: RunnerEventMap["job:state"][];
  notices: string[];
  run(batch: Batch, overrides?: Partial<RunnerConfig>, options?: RunOptions): Promise<RunOutcome>;
}

export async function useRunner(api: { url: string; apiKey: string }): Promise<FaultRunner> {
  const dir = await mkdtemp(join(tmpdir(), "shotlist-faults-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const statePath = join(dir, "state.db");
  const runner: FaultRunner = {
    root: join(dir, "out", "batch"),
    moves: [],
    notices: [],
    async run(batch, overrides = {}, options = {}) {
      const store = openStore(statePath);
      const client = createApiClient({ baseUrl: api.url, apiKey: options.apiKey ?? api.apiKey, timeoutMs: options.timeoutMs ?? 5_000 });
      const emitter = options.emitter ?? new RunnerEmitter();
      const clips = createLocalFolder({ root: runner.root, now: Date.now });
      emitter.on("job:state", (e) => runner.moves.push(e));
      emitter.on("run:notice", (e) => runner.notices.push(e.message));
      try {
        store.lease.acquire();
        return await runBatch(testConfig(batch, statePath, { retryWindowMs: 3_000, ...overrides }), {
          store,
          api: client,
          emitter,
          clips,
          signal: options.signal ?? new AbortController().signal,
          random: options.random ?? (() => 0.5),
        });
      } finally {
        await Promise.all([clips.close(), client.close()]);
        store.close();
      }
    },
  };
  return runner;
}

/** A simulator for one test, quick by default, closed when the test ends. */
export async function useSim(options: Partial<SimOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ genTimeMs: 150, jitterMs: 50, retryAfterS: 0.2, ...options });
  onTestFinished(() => sim.close());
  return sim;
}

/** The state names a job went through, in order, from the recorded moves. */
export function pathOf(runner: FaultRunner, key: string): string[] {
  const moves = runner.moves.filter((m) => m.job.key === key);
  return moves.length === 0 ? [] : [moves[0]!.from, ...moves.map((m) => m.to)];
}
