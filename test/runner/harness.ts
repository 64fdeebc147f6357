/**
 * A runner wired to real parts: the simulator on loopback, a SQLite state
 * file and a batch folder in a temp directory. Each test builds one and
 * closes it in afterEach, so no server, database or timer outlives it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createApiClient, createFilesClient } from "../../src/api/index.js";
import { createLocalFolder } from "../../src/deliver/index.js";
import type { Batch } from "../../src/manifest/job.js";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { runBatch, type RunOutcome, type RunnerConfig, type RunnerDeps } from "../../src/runner/scheduler.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { SimOptions } from "../../src/sim/options.js";
import { openStore, type SqliteStore, type Store } from "../../src/store/index.js";

export interface Harness {
  sim: Simulator;
  dir: string;
  root: string;
  statePath: string;
  /** Runs the batch once to its end (or until `signal` aborts). */
  run(batch: Batch, overrides?: Partial<RunnerConfig>, options?: RunOptions): Promise<RunOutcome>;
  /** Opens the state file for a look; closed by close(). */
  store(): SqliteStore;
  close(): Promise<void>;
}

export interface RunOptions {
  signal?: AbortSignal;
  emitter?: RunnerEmitter;
  /** What the runner writes through, given the real state store: a test that injects a store fault wraps it. */
  store?: (store: Store) => Store;
  /** The run's callback URL and the receiver behind it. */
  callbacks?: RunnerDeps["callbacks"];
}

/** Where a test run's recovery note goes: beside its state file, as the CLI puts it. */
export function recoveryPathOf(statePath: string): string {
  return `${statePath}.recovered-tasks.json`;
}

export function testConfig(batch: Batch, statePath: string, overrides: Partial<RunnerConfig> = {}): RunnerConfig {
  return {
    batch,
    recoveryPath: recoveryPathOf(statePath),
    room: { statePath, clipsPath: dirname(statePath) },
    concurrency: 4,
    downloadConcurrency: 4,
    pollIntervalMs: 50,
    maxAttempts: 2,
    taskTimeoutMs: 60_000,
    retryWindowMs: 10_000,
    urlLifetimeMs: 24 * 3_600_000,
    resubmitUnknown: true,
    retryFailed: false,
    rerenderExpired: false,
    verify: false,
    ...overrides,
  };
}

export async function startHarness(simOptions: Partial<SimOptions> = {}): Promise<Harness> {
  const sim = await startSimulator({ genTimeMs: 150, jitterMs: 50, retryAfterS: 0.2, ...simOptions });
  const dir = await mkdtemp(join(tmpdir(), "shotlist-run-"));
  const root = join(dir, "out", "batch");
  const statePath = join(dir, "state.db");
  const opened: SqliteStore[] = [];
  return {
    sim,
    dir,
    root,
    statePath,
    async run(batch, overrides = {}, options = {}) {
      const store = openStore(statePath);
      const api = createApiClient({ baseUrl: sim.url, apiKey: sim.apiKey });
      const files = createFilesClient({ baseUrl: sim.url, apiKey: sim.apiKey });
      const clips = createLocalFolder({ root, now: Date.now });
      try {
        store.lease.acquire();
        return await runBatch(testConfig(batch, statePath, overrides), {
          store: options.store?.(store) ?? store,
          api,
          files,
          emitter: options.emitter ?? new RunnerEmitter(),
          clips,
          signal: options.signal ?? new AbortController().signal,
          ...(options.callbacks === undefined ? {} : { callbacks: options.callbacks }),
        });
      } finally {
        await Promise.all([clips.close(), api.close(), files.close()]);
        store.close();
      }
    },
    store() {
      const store = openStore(statePath);
      opened.push(store);
      return store;
    },
    async close() {
      for (const store of opened) store.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates the simulator saw, per job: read from the Idempotency-Key's job key. */
export function createsPerJob(sim: Simulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const create of sim.ledger.creates) {
    const key = /^shotlist-(.+)-\d+$/.exec(create.idempotencyKey ?? "")?.[1] ?? "?";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
