/**
 * A disk that fills up mid-run. The room check runs on a real tmpfs (mounted
 * for the test, skipped visibly where mounting is refused); a state file that
 * refuses a commit is injected at the store port (a wrapper that throws the
 * store's own `disk` error), since SQLite cannot be made to fail on exactly
 * the commit that records a task id with a real full disk.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient } from "../../src/api/index.js";
import { createLocalFolder } from "../../src/deliver/index.js";
import { ShotlistError } from "../../src/errors.js";
import type { Batch } from "../../src/manifest/job.js";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import { runBatch, type RunnerConfig } from "../../src/runner/scheduler.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { openStore, type JobChange, type Store } from "../../src/store/index.js";
import { useWorkspace } from "../e2e/e2e-helpers.js";
import { makeBatch } from "../helpers/fixtures.js";
import { canMountTmpfs, tmpfsOf } from "../helpers/tmpfs.js";
import { createsPerJob, recoveryPathOf, startHarness, testConfig, type Harness } from "../runner/harness.js";

const MB = 1_000_000;

let sim: Simulator | undefined;
let harness: Harness | undefined;
afterEach(async () => {
  await sim?.close();
  await harness?.close();
  sim = harness = undefined;
});

/** Runs `batch` with its state file and clips on `dir`, recording the notices. The state file's reserve covers its WAL (up to about 4 MB). */
async function runOn(dir: string, batch: Batch, overrides: Partial<RunnerConfig>, onNotice: (message: string) => void = () => undefined) {
  if (sim === undefined) throw new Error("start the simulator first");
  const statePath = join(dir, "state.db");
  const root = join(dir, "out", batch.name);
  const store = openStore(statePath);
  const api = createApiClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  const clips = createLocalFolder({ root, now: Date.now });
  const emitter = new RunnerEmitter();
  const notices: string[] = [];
  emitter.on("run:notice", ({ message }) => {
    notices.push(message);
    onNotice(message);
  });
  try {
    store.lease.acquire();
    const config = testConfig(batch, statePath, {
      ...overrides,
      room: { statePath, clipsPath: root, stateReserveBytes: 5 * MB, clipFloorBytes: 1 * MB, ...overrides.room },
    });
    const outcome = await runBatch(config, { store, api, clips, emitter, signal: new AbortController().signal });
    return { outcome, notices };
  } finally {
    await Promise.all([clips.close(), api.close()]);
    store.close();
  }
}

describe.skipIf(!canMountTmpfs)("a disk that fills up (a real tmpfs)", () => {
  it("pauses creates when the clips on their way would not fit, and resumes once room returns", async () => {
    sim = await startSimulator({ genTimeMs: 150, jitterMs: 0, resultBytes: 1 * MB });
    const dir = tmpfsOf(12 * MB);
    const ballast = join(dir, "ballast");
    writeFileSync(ballast, Buffer.alloc(4 * MB));

    const { outcome, notices } = await runOn(dir, makeBatch(6), {}, (message) => {
      if (message.startsWith("disk nearly full")) rmSync(ballast, { force: true });
    });

    expect(notices.find((n) => n.startsWith("disk nearly full"))).toMatch(
      new RegExp(`^disk nearly full: \\d+ MB free on ${dir}/state\\.db, \\d+ MB wanted; new creates paused, \\d+ tasks? in flight (is|are) still collected$`),
    );
    expect(notices.some((n) => n.endsWith("creates resumed"))).toBe(true);
    expect(outcome.jobs.map((j) => j.state)).toEqual(Array(6).fill("done"));
    expect([...createsPerJob(sim).values()]).toEqual(Array(6).fill(1));
  });

  it("sends no create the disk has no room for, and stops when it stays full with nothing in flight", async () => {
    sim = await startSimulator({ genTimeMs: 150, jitterMs: 0, resultBytes: 1 * MB });
    const dir = tmpfsOf(12 * MB);
    writeFileSync(join(dir, "ballast"), Buffer.alloc(5 * MB));

    const { outcome } = await runOn(dir, makeBatch(6), { retryWindowMs: 300 });

    const done = outcome.jobs.filter((j) => j.state === "done").length;
    expect(done).toBeGreaterThan(0);
    expect(sim.ledger.creates).toHaveLength(done);
    expect(outcome.jobs.filter((j) => j.state !== "done").map((j) => j.state)).toEqual(Array(6 - done).fill("queued"));
    expect(outcome.stoppedBy).toBe("disk_full");
  });

  it("a state file that cannot even be created ends the built CLI with the disk error, not SQLite's stack", async () => {
    const ws = await useWorkspace();
    const dir = tmpfsOf(1 * MB);
    writeFileSync(join(dir, "ballast"), Buffer.alloc(1 * MB - 4096));

    const result = await ws.run(["--out", join(dir, "out")]).result;

    expect(result.stderr).toBe(`shotlist: cannot write the state file ${dir}/out/e2e/.shotlist/state.db: database or disk is full (SQLITE_FULL)\n`);
    expect(result.code).toBe(3);
    expect(ws.sim.ledger.creates).toHaveLength(0);
  });
});

/** The real store, but the first `refusals` commits that record a task id fail as a full disk does, or all of them. */
function refusingForAWhile(refusals: number) {
  let refused = 0;
  return (store: Store): Store => ({
    ...store,
    lease: store.lease,
    commit(changes: readonly JobChange[]) {
      if (refused < refusals && changes.some((c) => c.move?.to === "generating")) {
        refused++;
        throw new ShotlistError("disk", `cannot write the state file ${store.path}: database or disk is full (SQLITE_FULL)`);
      }
      return store.commit(changes);
    },
  });
}

describe("a state file that refuses to commit a task id (injected at the store port)", () => {
  it("holds the answer in memory, sends no new create meanwhile, and commits it once the file takes writes", async () => {
    harness = await startHarness();
    const emitter = new RunnerEmitter();
    const notices: string[] = [];
    emitter.on("run:notice", ({ message }) => notices.push(message));

    const outcome = await harness.run(makeBatch(4), { concurrency: 2 }, { store: refusingForAWhile(3), emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done", "done"]);
    expect([...createsPerJob(harness.sim).values()]).toEqual([1, 1, 1, 1]);
    expect(notices[0]).toMatch(
      /^the state file refused a write \(.*SQLITE_FULL.*\); new creates paused, (1 task id|2 task ids) held in memory until it takes them$/,
    );
    expect(notices).toContainEqual(
      expect.stringMatching(/takes writes again after \d+ s, (1 task id|2 task ids) held in memory recorded late: creates resumed$/),
    );
    expect(harness.sim.ledger.maxInFlight[harness.sim.apiKey]).toBeLessThanOrEqual(2);
  });

  it("ends with a disk error naming every task id it could not record, and the next run follows them instead of paying again", async () => {
    harness = await startHarness();

    const failed = harness.run(makeBatch(2), { retryWindowMs: 300 }, { store: refusingForAWhile(Infinity) });

    await expect(failed).rejects.toThrow(
      expect.objectContaining({ code: "disk", message: expect.stringMatching(/s1#1 task-.*s2#1 task-|s2#1 task-.*s1#1 task-/) }),
    );
    const rerun = await harness.run(makeBatch(2));
    expect(rerun.jobs.map((j) => j.state)).toEqual(["done", "done"]);
    expect([...createsPerJob(harness.sim).values()]).toEqual([1, 1]);
    expect(recoveryPathOf(harness.statePath)).toBeTruthy();
  });
});
