/**
 * Rows with thousands of tasks in flight at once (N = concurrency) at a real
 * API's latency, shotlist against the strongest simple script on the same
 * scenario: makespan against the ideal, CPU per job, peak RSS, event-loop delay.
 */
import { join } from "node:path";
import { startSimulator } from "../src/sim/index.js";
import { MiB, STRONG_BASELINE, cpuFigure, cpuMs, makespanFigure, ratioFigure, runMeasured, writeManifest, type Figure, type RowProducer } from "./lib.js";
import { REALISTIC, cliEnv, runBatch } from "./realistic.js";

const INTERVAL_MS = 5000;

async function inFlight(n: number, genTimeMs: number, dir: string): Promise<{ figures: Figure[]; raw: unknown }> {
  const sim = { ...REALISTIC, genTimeMs, latencyJitterMs: 0 };
  const label = `inflight-${n}`;
  const runner = await runBatch(dir, label, { n, concurrency: n, intervalMs: INTERVAL_MS, sim, timeoutMs: 900_000 });
  const baseSim = await startSimulator(sim);
  let base;
  try {
    const manifest = join(dir, `${label}.yaml`);
    await writeManifest(manifest, label, n);
    base = await runMeasured(STRONG_BASELINE, [manifest, join(dir, `${label}-baseline`), String(n), String(INTERVAL_MS)], {
      env: cliEnv(baseSim),
      dir,
      label: `${label}-baseline`,
      timeoutMs: 900_000,
    });
  } finally {
    await baseSim.close();
  }
  const section = `2 ${n} in flight (C=N, T~${genTimeMs / 1000} s, latency 100 ms, poll 5 s)`;
  const cpu = cpuMs(runner.probe) / n;
  const baseCpu = cpuMs(base.probe) / n;
  const rss = runner.probe.maxRssBytes / MiB;
  const baseRss = base.probe.maxRssBytes / MiB;
  const figures: Figure[] = [
    makespanFigure(section, runner, {
      ideal: "ideal: every task from the first create",
      factor: 1.1,
      note: `${(runner.gets / runner.tasks).toFixed(2)} GETs per task; the baseline's wall time ${(base.wallMs / 1000).toFixed(1)} s against shotlist's ${(runner.wallMs / 1000).toFixed(1)} s`,
    }),
    cpuFigure(section, cpu, baseCpu),
    ratioFigure({
      section,
      name: "peak RSS",
      value: rss,
      unit: "MiB",
      reference: { value: baseRss, label: "undici baseline" },
      target: "<= baseline",
      pass: rss <= baseRss,
    }),
    ratioFigure({
      section,
      name: "event-loop delay p99",
      value: runner.probe.loopDelayP99Ms,
      unit: "ms",
      reference: { value: base.probe.loopDelayP99Ms, label: "undici baseline" },
      target: "<= 100 ms (a poll or an answer no later than one round trip)",
      pass: runner.probe.loopDelayP99Ms <= 100,
    }),
  ];
  return { figures, raw: { n, genTimeMs, runner, baseline: { wallMs: base.wallMs, probe: base.probe } } };
}

export const inflight1000: RowProducer = {
  name: "inflight-1000",
  run: ({ quick, dir }) => inFlight(1000, quick ? 15_000 : 30_000, dir),
};

export const inflight5000: RowProducer = {
  name: "inflight-5000",
  heavy: true,
  run: ({ dir }) => inFlight(5000, 30_000, dir),
};
