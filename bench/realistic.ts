/**
 * Rows at a real API's pace: answers 100-200 ms late, generation times with a
 * tail, estimates off by up to 40 %, progress that is not linear. The batch
 * runs at the production poll interval (5 s) and at a short one (0.1 s) side
 * by side, each on its own simulator (both mostly wait).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { percentile } from "../src/report/percentile.js";
import { startSimulator, type SimOptions, type Simulator } from "../src/sim/index.js";
import { CLI, idealMakespanMs, makespanFigure, ratioFigure, runMeasured, writeManifest, type Figure, type RowProducer, type RowResult } from "./lib.js";

/** The simulator of every realistic row: a real API's answers, seeded. */
export const REALISTIC: Partial<SimOptions> = {
  latencyMs: 100,
  latencyJitterMs: 100,
  genTimeSigma: 0.25,
  estimateError: { min: 0.6, max: 1.4 },
  progressExponent: 0.7,
  seed: 18,
};

export const cliEnv = (sim: Simulator): Record<string, string> => ({ EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey });

export interface BatchRun {
  /** First create handled to the last poll that saw a task done, at the simulator. */
  makespanMs: number;
  idealMs: number;
  tasks: number;
  gets: number;
  /** Per job: from its task's end (the simulator's timeline) to its clip saved (the state file's done_at_ms). */
  toDiskMs: number[];
  wallMs: number;
}

/** What a finished run of the runner did, read from the simulator's ledger and the state file. */
export function readBatch(sim: Simulator, statePath: string, slots: number, wallMs: number): BatchRun {
  const created = sim.ledger.creates.filter((c) => c.status === 200 && c.taskId !== null).sort((a, b) => a.at_ms - b.at_ms);
  const timelines = created.map((c) => sim.timeline(c.taskId ?? ""));
  const durations = timelines.map((t) => (t === undefined ? 0 : t.endsMs - t.createdMs));
  const first = created[0]?.at_ms ?? 0;
  const lastSeen = Math.max(...sim.ledger.polls.filter((p) => p.taskStatus === "completed").map((p) => p.at_ms));
  const db = new Database(statePath, { readonly: true });
  const jobs = db.prepare("SELECT task_id AS taskId, done_at_ms AS doneAt FROM jobs WHERE state = 'done'").all() as { taskId: string; doneAt: number }[];
  db.close();
  const toDiskMs = jobs.flatMap((j) => {
    const t = sim.timeline(j.taskId);
    return t === undefined ? [] : [j.doneAt - t.endsMs];
  });
  return { makespanMs: lastSeen - first, idealMs: idealMakespanMs(durations, slots), tasks: created.length, gets: sim.ledger.polls.length, toDiskMs, wallMs };
}

/** Runs `shotlist run` on a fresh manifest against a fresh simulator and reads what it did. */
export async function runBatch(
  dir: string,
  label: string,
  spec: { n: number; concurrency: number; intervalMs: number; sim: Partial<SimOptions>; timeoutMs?: number },
): Promise<BatchRun & { probe: Awaited<ReturnType<typeof runMeasured>>["probe"] }> {
  const sim = await startSimulator(spec.sim);
  try {
    const manifest = join(dir, `${label}.yaml`);
    await writeManifest(manifest, label, spec.n);
    const out = join(dir, `${label}-out`);
    const args = ["run", manifest, "--out", out, "--concurrency", String(spec.concurrency), "--poll-interval", String(spec.intervalMs / 1000)];
    const run = await runMeasured(CLI, args, { env: cliEnv(sim), dir, label, ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }) });
    return { ...readBatch(sim, join(out, label, ".shotlist", "state.db"), spec.concurrency, run.wallMs), probe: run.probe };
  } finally {
    await sim.close();
  }
}

function rows(section: string, run: BatchRun, intervalMs: number, targets: { makespan: number; gets?: number }): Figure[] {
  const p50 = percentile(run.toDiskMs, 50) ?? Number.NaN;
  const p95 = percentile(run.toDiskMs, 95) ?? Number.NaN;
  // Seen within half an interval on average and one at worst, plus ~1 s for the download, fsync and rename.
  const p50Limit = intervalMs / 2 + 1000;
  const p95Limit = intervalMs + 1000;
  const figures: Figure[] = [
    makespanFigure(section, run, {
      ideal: "ideal: the same durations, no overhead",
      factor: targets.makespan,
      note: `whole run incl. start-up and the last downloads: ${(run.wallMs / 1000).toFixed(1)} s`,
    }),
    {
      section,
      name: "task done to clip on disk, p50",
      value: p50 / 1000,
      unit: "s",
      target: `<= interval / 2 + 1 s (${p50Limit / 1000} s)`,
      pass: p50 <= p50Limit,
    },
    {
      section,
      name: "task done to clip on disk, p95",
      value: p95 / 1000,
      unit: "s",
      target: `<= interval + 1 s (${p95Limit / 1000} s)`,
      pass: p95 <= p95Limit,
    },
  ];
  if (targets.gets !== undefined) {
    const gets = run.gets / run.tasks;
    figures.push(
      ratioFigure({
        section,
        name: "GETs per task",
        value: gets,
        unit: "GET",
        reference: { value: 1, label: "lower bound: the one GET that sees it done" },
        target: `<= ${targets.gets}`,
        pass: gets <= targets.gets,
        note: "a fixed-interval poll from the create would need about duration / interval; no poll can learn the end without one GET after it",
      }),
    );
  }
  return figures;
}

export const realistic: RowProducer = {
  name: "realistic",
  async run({ quick, dir }): Promise<RowResult> {
    const n = quick ? 40 : 60;
    const concurrency = 20;
    const genTimeMs = quick ? 12_000 : 30_000;
    const sim = { ...REALISTIC, genTimeMs };
    const shape = `N=${n}, C=${concurrency}, T~${genTimeMs / 1000} s, estimates 0.6-1.4x, latency 100-200 ms`;
    const [slow, fast] = await Promise.all([
      runBatch(dir, "real-5s", { n, concurrency, intervalMs: 5000, sim }),
      runBatch(dir, "real-short", { n, concurrency, intervalMs: 100, sim }),
    ]);
    return {
      figures: [
        ...rows(`1a realistic, poll 5 s (${shape})`, slow, 5000, { makespan: 1.05, gets: 1.5 }),
        ...rows(`1b realistic, poll 0.1 s (${shape})`, fast, 100, { makespan: 1.05 }),
      ],
      raw: { n, concurrency, genTimeMs, sim, slow, fast },
    };
  },
};
