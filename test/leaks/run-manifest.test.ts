/**
 * A run closes what it opens: the state store, the API client's pool, the
 * download pool and, with --sim, the embedded simulator. Checked as the run
 * returns, before the test closes anything of its own: the simulator the run
 * talked to is still up, so a pool left open would still hold its sockets.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runManifest, type RunManifestOptions } from "../../src/app/run-manifest.js";
import { manifestText } from "../e2e/e2e-helpers.js";
import { useSim } from "../faults/runner.js";
import { makeBatch } from "../helpers/fixtures.js";
import { leaksSince, takeSnapshot } from "../helpers/leaks.js";
import { testConfig } from "../runner/harness.js";

async function manifestIn(text: string): Promise<{ dir: string; manifestPath: string }> {
  const dir = await mkdtemp(join(tmpdir(), "shotlist-run-leaks-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const manifestPath = join(dir, "shots.yaml");
  await writeFile(manifestPath, text);
  return { dir, manifestPath };
}

function options(dir: string, manifestPath: string, endpoint: RunManifestOptions["endpoint"], signal = new AbortController().signal): RunManifestOptions {
  const { batch: _batch, concurrency: _concurrency, recoveryPath: _recoveryPath, room: _room, ...config } = testConfig(makeBatch(0), join(dir, "state.db"));
  return { ...config, manifestPath, outDir: join(dir, "out"), endpoint, signal };
}

describe("a run, once it returns", () => {
  it("leaves no socket, timer or store open to the API it used", async () => {
    const sim = await useSim();
    const { dir, manifestPath } = await manifestIn(manifestText(3));
    const before = takeSnapshot();
    const result = await runManifest(options(dir, manifestPath, { baseUrl: sim.url, apiKey: sim.apiKey }));
    expect(result.outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(sim.ledger.downloads).toHaveLength(3);
    expect(await leaksSince(before)).toEqual([]);
  });

  it("leaves nothing open when interrupted mid-run", async () => {
    const sim = await useSim();
    // Tasks that never end hold no timer in the simulator: what is left open is the run's.
    const { dir, manifestPath } = await manifestIn(manifestText(2, { 0: "[never] one", 1: "[never] two" }));
    const controller = new AbortController();
    const before = takeSnapshot();
    const run = runManifest({
      ...options(dir, manifestPath, { baseUrl: sim.url, apiKey: sim.apiKey }, controller.signal),
      onEmitter: (emitter) => emitter.on("job:state", ({ to }) => to === "generating" && controller.abort(new Error("interrupted"))),
    });
    expect((await run).outcome.interrupted).toBe(true);
    expect(await leaksSince(before)).toEqual([]);
  });

  it("leaves no simulator running after a run with --sim", async () => {
    const { dir, manifestPath } = await manifestIn(manifestText(1));
    const before = takeSnapshot();
    const result = await runManifest(options(dir, manifestPath, "sim"));
    expect(result.outcome.jobs.map((j) => j.state)).toEqual(["done"]);
    expect(await leaksSince(before)).toEqual([]);
  });
});
