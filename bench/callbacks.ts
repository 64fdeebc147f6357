/**
 * Callbacks against polling, in the same run: one batch rendered twice by the
 * built CLI against one simulator, once polling alone and once with
 * `--callback-url --listen`, each read off the simulator's ledger (GETs per
 * task) and the state file (completion to clip saved).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { startSimulator, type Simulator } from "../src/sim/index.js";
import { percentile } from "../src/report/percentile.js";
import { freePort } from "../test/helpers/loopback.js";
import { CLI, ratioFigure, runMeasured, writeManifest, type Figure, type RowProducer } from "./lib.js";
import type { Scale } from "./scenarios.js";

interface Side {
  getsPerTask: number;
  latencyMs: { p50: number; p95: number; max: number };
  wallMs: number;
}

async function side(sim: Simulator, { dir }: Scale, name: string, n: number, extra: string[]): Promise<Side> {
  const manifest = join(dir, `${name}.yaml`);
  await writeManifest(manifest, name, n);
  const out = join(dir, `${name}-out`);
  const env = { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey };
  const firstCreate = sim.ledger.creates.length;
  const run = await runMeasured(CLI, ["run", manifest, "--out", out, "--concurrency", "20", "--poll-interval", "1", ...extra], { env, dir, label: name });
  const tasks = new Set(sim.ledger.creates.slice(firstCreate).flatMap((c) => (c.taskId === null ? [] : [c.taskId])));
  const gets = sim.ledger.polls.filter((p) => tasks.has(p.taskId)).length;
  const finished = new Map(sim.ledger.finishes.map((f) => [f.taskId, f.at_ms]));
  const db = new Database(join(out, name, ".shotlist", "state.db"), { readonly: true });
  const rows = db.prepare("SELECT task_id, done_at_ms FROM jobs").all() as { task_id: string; done_at_ms: number }[];
  db.close();
  const latencies = rows.map((r) => r.done_at_ms - (finished.get(r.task_id) ?? NaN)).sort((a, b) => a - b);
  return {
    getsPerTask: gets / tasks.size,
    latencyMs: { p50: percentile(latencies, 50) ?? NaN, p95: percentile(latencies, 95) ?? NaN, max: latencies.at(-1) ?? NaN },
    wallMs: run.wallMs,
  };
}

async function withAndWithout(scale: Scale): Promise<{ figures: Figure[]; raw: unknown }> {
  const n = scale.quick ? 40 : 120;
  const sim = await startSimulator({ genTimeMs: 2_000, jitterMs: 1_000, allowHttpCallbacks: true });
  try {
    const polling = await side(sim, scale, "cb-polling", n, []);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/bench`;
    const called = await side(sim, scale, "cb-callbacks", n, ["--callback-url", url, "--listen", `127.0.0.1:${port}`]);
    const section = `7 callbacks (N=${n}, C=20, T=2±1 s, poll 1 s)`;
    const figures: Figure[] = [
      ratioFigure({
        section,
        name: "GETs per task, with callbacks",
        value: called.getsPerTask,
        unit: "GET",
        reference: { value: polling.getsPerTask, label: "polling alone, same run" },
        target: "<= 1.2",
        pass: called.getsPerTask <= 1.2,
      }),
      ratioFigure({
        section,
        name: "completion to clip saved, p50, with callbacks",
        value: called.latencyMs.p50,
        unit: "ms",
        reference: { value: polling.latencyMs.p50, label: "polling alone, same run" },
        target: "<= 1000 ms",
        pass: called.latencyMs.p50 <= 1000,
      }),
      ratioFigure({
        section,
        name: "completion to clip saved, p95, with callbacks",
        value: called.latencyMs.p95,
        unit: "ms",
        reference: { value: polling.latencyMs.p95, label: "polling alone, same run" },
        target: "<= 1000 ms",
        pass: called.latencyMs.p95 <= 1000,
        note: `worst clip ${called.latencyMs.max.toFixed(0)} ms with callbacks, ${polling.latencyMs.max.toFixed(0)} ms polling; the simulator's estimates are exact to the second, so polling alone is read at about the right time too`,
      }),
    ];
    return { figures, raw: { n, polling, callbacks: called } };
  } finally {
    await sim.close();
  }
}

export const callbacks: RowProducer = { name: "callbacks", run: withAndWithout };
