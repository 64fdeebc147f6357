/**
 * The benchmark's scenarios. Each starts its own simulator in this process,
 * runs the measured side(s) in child processes, and returns its figures; the
 * simulator's CPU is never counted against a side.
 */
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createApiClient } from "../src/api/index.js";
import { startSimulator, type Simulator } from "../src/sim/index.js";
import {
  BASELINE,
  CLI,
  DOWNLOAD_CHILD,
  MiB,
  STRONG_BASELINE,
  cpuFigure,
  cpuMs,
  ratioFigure,
  runCommand,
  runMeasured,
  sizeOf,
  writeManifest,
  type Figure,
  type RowProducer,
  type RowResult,
} from "./lib.js";
import { cliEnv } from "./realistic.js";

export interface Scale {
  quick: boolean;
  dir: string;
}
const requestsOf = (sim: Simulator): number => sim.ledger.creates.length + sim.ledger.polls.length + sim.ledger.downloads.length + sim.ledger.cancels.length;

// ---- 0: the loopback ideal: no latency, exact estimates, one duration ----------

async function utilisation({ quick, dir }: Scale): Promise<RowResult> {
  const n = quick ? 100 : 400;
  const genMs = 1000; // the sim estimates in whole seconds: below 1 s its estimate overstates the work
  const concurrency = 20;
  const intervalMs = 100;
  const sim = await startSimulator({ genTimeMs: genMs, jitterMs: 0 });
  try {
    const manifest = join(dir, "util.yaml");
    await writeManifest(manifest, "util", n);
    const run = await runMeasured(
      CLI,
      ["run", manifest, "--out", join(dir, "util-out"), "--concurrency", String(concurrency), "--poll-interval", String(intervalMs / 1000)],
      {
        env: cliEnv(sim),
        dir,
        label: "util-runner",
      },
    );
    const created = sim.ledger.creates.filter((c) => c.status === 200);
    const first = Math.min(...created.map((c) => c.at_ms));
    const lastSeen = Math.max(...sim.ledger.polls.filter((p) => p.taskStatus === "completed").map((p) => p.at_ms));
    const makespanMs = lastSeen - first;
    const idealMs = Math.ceil(n / concurrency) * genMs;
    const limitMs = 1.05 * idealMs + intervalMs;
    const polls = sim.ledger.polls.length / created.length;
    const fixedInterval = Math.ceil(genMs / intervalMs);
    const section = `0 loopback ideal (N=${n}, C=${concurrency}, T=${genMs / 1000} s exactly estimated, no latency, poll ${intervalMs / 1000} s)`;
    const figures: Figure[] = [
      ratioFigure({
        section,
        name: "makespan, first create to last completion seen",
        value: makespanMs / 1000,
        unit: "s",
        reference: { value: idealMs / 1000, label: "ideal ceil(N/C) x T" },
        target: `<= 1.05 x ideal + 1 poll interval (${(limitMs / 1000).toFixed(2)} s)`,
        pass: makespanMs <= limitMs,
        note: `whole run incl. downloads and start-up: ${(run.wallMs / 1000).toFixed(2)} s; max in flight at the sim ${sim.ledger.maxInFlight[sim.apiKey] ?? 0}`,
      }),
      ratioFigure({
        section,
        name: "GETs per task",
        value: polls,
        unit: "GET",
        reference: { value: 1, label: "floor: one GET that sees it done" },
        target: "<= 2 (floor + 1)",
        pass: polls <= 2,
        note: `a client polling every ${intervalMs / 1000} s from its create needs ceil(T/interval) = ${fixedInterval}; shotlist waits for the API's estimate before its first poll`,
      }),
    ];
    return {
      figures,
      raw: { n, genMs, concurrency, intervalMs, makespanMs, idealMs, wallMs: run.wallMs, polls: sim.ledger.polls.length, tasks: created.length },
    };
  } finally {
    await sim.close();
  }
}

// ---- 5 and 6: resume, overhead at scale ---------------------------------------

async function overhead({ quick, dir }: Scale): Promise<RowResult> {
  const n = quick ? 1_000 : 10_000;
  const concurrency = 256;
  const intervalMs = 50;
  const manifest = join(dir, "scale.yaml");
  await writeManifest(manifest, "scale", n);
  const out = join(dir, "scale-out");
  const statePath = join(out, "scale", ".shotlist", "state.db");
  const raw: Record<string, unknown> = { n, concurrency, intervalMs };
  const figures: Figure[] = [];

  const simRunner = await startSimulator({ genTimeMs: 0, jitterMs: 0 });
  const simStrong = await startSimulator({ genTimeMs: 0, jitterMs: 0 });
  const simFetch = await startSimulator({ genTimeMs: 0, jitterMs: 0 });
  try {
    const runArgs = ["run", manifest, "--out", out, "--concurrency", String(concurrency), "--poll-interval", String(intervalMs / 1000)];
    const runner = await runMeasured(CLI, runArgs, { env: cliEnv(simRunner), dir, label: "scale-runner" });
    const requestsAfterRun = requestsOf(simRunner);
    const baseline = (script: string, sim: Simulator, label: string) =>
      runMeasured(script, [manifest, join(dir, label), String(concurrency), String(intervalMs)], { env: cliEnv(sim), dir, label });
    const strong = await baseline(STRONG_BASELINE, simStrong, "scale-strong");
    const plain = await baseline(BASELINE, simFetch, "scale-fetch");
    const dbBytes = (await sizeOf(statePath)) + (await sizeOf(`${statePath}-wal`));
    const db = new Database(statePath, { readonly: true });
    const moves = (db.prepare("SELECT count(*) AS n FROM events WHERE from_state IS NOT NULL").get() as { n: number }).n;
    db.close();

    const section = `6 overhead at scale (N=${n}, C=${concurrency}, gen ~0 s, poll ${intervalMs / 1000} s, no latency)`;
    const cpu = cpuMs(runner.probe) / n;
    const strongCpu = cpuMs(strong.probe) / n;
    const rss = runner.probe.maxRssBytes;
    figures.push(
      cpuFigure(section, cpu, strongCpu, {
        target: "<= 1.2 x baseline, checkpointing every move with synchronous=FULL",
        note:
          `the fetch script: ${(cpuMs(plain.probe) / n).toFixed(3)} ms per job; wall times: shotlist ${(runner.wallMs / 1000).toFixed(1)} s, ` +
          `undici ${(strong.wallMs / 1000).toFixed(1)} s, fetch ${(plain.wallMs / 1000).toFixed(1)} s; ` +
          `state file ${(dbBytes / n).toFixed(0)} B per job (db + wal) for ${(moves / n).toFixed(1)} state moves per job`,
      }),
      ratioFigure({
        section,
        name: "peak RSS",
        value: rss / MiB,
        unit: "MiB",
        reference: { value: strong.probe.maxRssBytes / MiB, label: "undici baseline" },
        target: "<= baseline and < 150 MB",
        pass: rss <= strong.probe.maxRssBytes && rss < 150e6,
        note: `the fetch script: ${(plain.probe.maxRssBytes / MiB).toFixed(0)} MiB`,
      }),
    );
    raw.runner = { wallMs: runner.wallMs, probe: runner.probe, requests: requestsAfterRun, dbBytes, moves };
    raw.strong = { wallMs: strong.wallMs, probe: strong.probe };
    raw.fetch = { wallMs: plain.wallMs, probe: plain.probe };

    // 5: the same batch again, all done.
    const resume = await runMeasured(CLI, runArgs, { env: cliEnv(simRunner), dir, label: "resume" });
    const sent = requestsOf(simRunner) - requestsAfterRun;
    const section5 = `5 resume (${n} jobs done, rerun)`;
    figures.push(
      { section: section5, name: "requests sent", value: sent, unit: "", target: "0", pass: sent === 0 },
      {
        section: section5,
        name: "wall time (process start to exit)",
        value: resume.wallMs / 1000,
        unit: "s",
        target: "< 1 s",
        pass: resume.wallMs < 1000,
        note: "a size check of each clip against the state file; a full hash only with --verify",
      },
    );
    raw.resume = { wallMs: resume.wallMs, probe: resume.probe, sent };
  } finally {
    await Promise.all([simRunner.close(), simStrong.close(), simFetch.close()]);
    await rm(out, { recursive: true, force: true });
    await rm(join(dir, "scale-strong"), { recursive: true, force: true });
    await rm(join(dir, "scale-fetch"), { recursive: true, force: true });
  }
  return { figures, raw };
}

// ---- 4: downloads --------------------------------------------------------------

/** Makes `count` finished tasks on `sim` and returns their result URLs. */
async function resultUrls(sim: Simulator, count: number): Promise<string[]> {
  const api = createApiClient({ baseUrl: sim.url, apiKey: sim.apiKey });
  try {
    const request = { model: "seedance-1.5-pro", duration: 5, quality: "480p", aspect_ratio: "16:9", generate_audio: false } as const;
    const tasks = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        api.createTask({ ...request, prompt: `download bench ${i}` }, { idempotencyKey: `bench-download-${String(i).padStart(6, "0")}` }),
      ),
    );
    await new Promise((r) => setTimeout(r, 50));
    const done = await Promise.all(tasks.map((t) => api.getTask(t.id)));
    return done.map((t) => {
      const url = t.results?.[0];
      if (t.status !== "completed" || url === undefined) throw new Error(`task ${t.id} is ${t.status}`);
      return url;
    });
  } finally {
    await api.close();
  }
}

async function hasCurl(): Promise<boolean> {
  return runCommand("curl", ["--version"]).then(
    () => true,
    () => false,
  );
}

/** curl's wall time for the same files and the same sha256 (OpenSSL, as Node's): one file through tee, many hashed after. */
async function sameWorkMs(urls: string[], folder: string, parallel: number): Promise<{ plainMs: number; sameWorkMs: number }> {
  await mkdir(folder, { recursive: true });
  try {
    const files = urls.map((_, i) => join(folder, `clip-${i}.mp4`));
    const args = [
      "-sS",
      "--fail",
      ...(urls.length > 1 ? ["--parallel", "--parallel-max", String(parallel)] : []),
      ...urls.flatMap((u, i) => ["-o", files[i] ?? "", u]),
    ];
    const plainMs = (await runCommand("curl", args)).wallMs;
    if (urls.length === 1) {
      const pipe = 'curl -sS --fail "$0" | tee "$1" | openssl dgst -sha256 > /dev/null';
      return { plainMs, sameWorkMs: (await runCommand("bash", ["-o", "pipefail", "-c", pipe, urls[0] ?? "", join(folder, "hashed.mp4")])).wallMs };
    }
    // Four processes per file would weigh on the reference: save them all, then hash them all in one sha256sum.
    return { plainMs, sameWorkMs: plainMs + (await runCommand("sha256sum", files)).wallMs };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function downloads({ quick, dir }: Scale): Promise<RowResult> {
  const bigBytes = quick ? 256 * MiB : 1024 * MiB;
  const smallCount = quick ? 40 : 200;
  const smallBytes = 5 * MiB;
  const parallel = 4; // the runner's download concurrency
  if (!(await hasCurl())) throw new Error("the download rows need curl (apt-get install -y curl)");
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = { bigBytes, smallCount, smallBytes, parallel };
  // A small result on its own simulator: the download child fetches it first, untimed, to warm up.
  const warmSim = await startSimulator({ genTimeMs: 0, jitterMs: 0 });
  const [warmup] = await resultUrls(warmSim, 1);
  try {
    for (const spec of [
      { label: "big", bytes: bigBytes, count: 1, name: `1 x ${bigBytes / MiB} MiB` },
      { label: "small", bytes: smallBytes, count: smallCount, name: `${smallCount} x ${smallBytes / MiB} MiB, ${parallel} at a time` },
    ]) {
      const sim = await startSimulator({ genTimeMs: 0, jitterMs: 0, resultBytes: spec.bytes });
      const target = join(dir, `dl-${spec.label}`);
      try {
        const urls = await resultUrls(sim, spec.count);
        const total = spec.bytes * spec.count;
        const curl = await sameWorkMs(urls, `${target}-curl`, parallel);
        const resultPath = join(dir, `dl-${spec.label}.result.json`);
        const child = await runMeasured(DOWNLOAD_CHILD, [target, String(parallel), ...urls], {
          env: { SHOTLIST_BENCH_RESULT: resultPath, SHOTLIST_BENCH_WARMUP: warmup ?? "" },
          dir,
          label: `dl-${spec.label}`,
        });
        const result = JSON.parse(await readFile(resultPath, "utf8")) as { wallMs: number; rssBeforeBytes: number; bytes: number };
        if (result.bytes !== total) throw new Error(`downloaded ${result.bytes} bytes, expected ${total}`);
        const rate = (ms: number): number => total / MiB / (ms / 1000);
        const mbps = rate(result.wallMs);
        const section = `4 downloads (${spec.name})`;
        const rssRise = (child.probe.maxRssBytes - result.rssBeforeBytes) / MiB;
        figures.push(
          ratioFigure({
            section,
            name: "throughput against the same work",
            value: mbps,
            unit: "MiB/s",
            reference: { value: rate(curl.sameWorkMs), label: spec.count === 1 ? "curl | tee file | openssl sha256" : "curl --parallel, then sha256sum" },
            target: ">= 1.0 x the reference",
            pass: mbps >= rate(curl.sameWorkMs),
            note: `plain curl (no hash): ${rate(curl.plainMs).toFixed(0)} MiB/s; shotlist also sniffs the head and fsyncs file and folder before the rename`,
          }),
          {
            section,
            name: "peak RSS rise during the download",
            value: rssRise,
            unit: "MiB",
            target: "<= 50 MB",
            pass: rssRise * MiB <= 50e6,
            note: `after one small download to warm up; peak RSS of the process ${(child.probe.maxRssBytes / MiB).toFixed(0)} MiB`,
          },
        );
        raw[spec.label] = { curl, shotlist: result, probe: child.probe };
      } finally {
        await sim.close();
        await rm(target, { recursive: true, force: true });
      }
    }
  } finally {
    await warmSim.close();
  }
  return { figures, raw };
}

export const loopbackIdeal: RowProducer = { name: "loopback", run: utilisation };
export const overheadAndResume: RowProducer = { name: "overhead", run: overhead };
export const downloadRows: RowProducer = { name: "downloads", run: downloads };
