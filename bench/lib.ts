/** What the scenarios share: where the built programs are, measured children, manifests, the machine. */
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ProbeReport } from "./probe.js";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository: dist-bench/bench/ is two levels down. */
export const REPO = resolve(HERE, "..", "..");
export const CLI = join(REPO, "dist", "cli", "main.js");
/** The script written in an hour on fetch, and the strongest simple one (undici Pool): ratios are against the second. */
export const BASELINE = join(HERE, "baseline.js");
export const STRONG_BASELINE = join(HERE, "baseline-undici.js");
export const DOWNLOAD_CHILD = join(HERE, "download-child.js");
const PROBE = pathToFileURL(join(HERE, "probe.js")).href;

export const MiB = 1024 * 1024;

/** One measured figure, as printed in the table and written to latest.json. */
export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  reference?: { value: number; label: string };
  /** value / reference, when a reference was measured. */
  ratio?: number;
  /** Every row has one: printed beside the value, met or missed. */
  target: string;
  pass: boolean;
  note?: string;
}

export interface Measured {
  /** Spawn to exit, seen from the parent. */
  wallMs: number;
  code: number | null;
  probe: ProbeReport;
  /** The child's stdout and stderr, for a failure's message. */
  log: string;
}

/**
 * Runs `node --import probe.js script ...args` and waits for it. Output goes
 * to a file (not a pipe the parent must drain, since the parent runs the
 * simulator). Throws with the log's tail if it fails.
 */
export async function runMeasured(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; dir: string; label: string; timeoutMs?: number; allowFail?: boolean },
): Promise<Measured> {
  const probePath = join(options.dir, `${options.label}.probe.json`);
  const logPath = join(options.dir, `${options.label}.log`);
  const fd = openSync(logPath, "w");
  const started = performance.now();
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, ["--import", PROBE, script, ...args], {
      stdio: ["ignore", fd, fd],
      env: { ...process.env, ...options.env, SHOTLIST_BENCH_PROBE: probePath },
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    child.once("error", fail);
    child.once("exit", (c) => {
      clearTimeout(timer);
      done(c);
    });
  });
  const wallMs = performance.now() - started;
  closeSync(fd);
  const log = readFileSync(logPath, "utf8");
  if (code !== 0 && options.allowFail !== true) throw new Error(`${options.label} exited ${code}:\n${log.slice(-2000)}`);
  const probe = JSON.parse(await readFile(probePath, "utf8")) as ProbeReport;
  return { wallMs, code, probe, log };
}

/** Runs a plain command (curl) and returns its wall time and stdout. */
export async function runCommand(command: string, args: string[]): Promise<{ wallMs: number; stdout: string }> {
  const started = performance.now();
  const stdout = await new Promise<string>((done, fail) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("error", fail);
    child.once("exit", (c) => (c === 0 ? done(out) : fail(new Error(`${command} exited ${c}: ${err.slice(-1000)}`))));
  });
  return { wallMs: performance.now() - started, stdout };
}

/** A manifest of `n` one-take shots, cheap settings, distinct prompts. */
export async function writeManifest(path: string, name: string, n: number): Promise<void> {
  const lines = [`version: 1`, `name: ${name}`, `model: seedance-1.5-pro`, `defaults: { duration: 5, quality: 480p, generate_audio: false }`, `shots:`];
  for (let i = 1; i <= n; i++) lines.push(`  - id: s${String(i).padStart(5, "0")}`, `    prompt: "bench shot ${i}: a slow pan over a rainy street"`);
  await writeFile(path, `${lines.join("\n")}\n`);
}

export async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

export function cpuMs(probe: ProbeReport): number {
  return (probe.userUs + probe.systemUs) / 1000;
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started: figures from a busy machine are noisier and slower. */
  load: number;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load: loadavg()[0] ?? 0,
  };
}

export function ratioFigure(figure: Omit<Figure, "ratio">): Figure {
  const ref = figure.reference?.value;
  return ref === undefined || ref === 0 ? figure : { ...figure, ratio: figure.value / ref };
}

/** Makespan against an ideal, as every batch row reports it. */
export function makespanFigure(section: string, run: { makespanMs: number; idealMs: number }, spec: { ideal: string; factor: number; note: string }): Figure {
  return ratioFigure({
    section,
    name: "makespan, first create to last completion seen",
    value: run.makespanMs / 1000,
    unit: "s",
    reference: { value: run.idealMs / 1000, label: spec.ideal },
    target: `<= ${spec.factor} x ideal`,
    pass: run.makespanMs <= spec.factor * run.idealMs,
    note: spec.note,
  });
}

/** CPU per job against the strongest baseline's, with the target the issue set (1.2x). */
export function cpuFigure(section: string, cpuMsPerJob: number, baselineMsPerJob: number, spec: { target?: string; note?: string } = {}): Figure {
  return ratioFigure({
    section,
    name: "CPU time per job",
    value: cpuMsPerJob,
    unit: "ms",
    reference: { value: baselineMsPerJob, label: "undici baseline" },
    target: spec.target ?? "<= 1.2 x baseline",
    pass: cpuMsPerJob <= 1.2 * baselineMsPerJob,
    ...(spec.note === undefined ? {} : { note: spec.note }),
  });
}

/** The figures one row producer measured, and what it saw, for latest.json. */
export interface RowResult {
  figures: Figure[];
  raw: unknown;
}

/**
 * One producer of rows of the bench: main.ts runs each in turn (`--only NAME`).
 * `heavy` ones (thousands in flight, 100,000 shots, a GiB) are left out by `--quick`.
 */
export interface RowProducer {
  name: string;
  heavy?: boolean;
  run(scale: { quick: boolean; dir: string }): Promise<RowResult>;
}

/**
 * The makespan of a zero-overhead client with `slots` slots: each task (in
 * the order given) starts the moment a slot frees and is seen done the moment
 * it ends. The measured run's own durations go in, so the ideal has its luck.
 */
export function idealMakespanMs(durationsMs: readonly number[], slots: number): number {
  const free: number[] = Array.from({ length: Math.min(slots, durationsMs.length) }, () => 0);
  let end = 0;
  for (const d of durationsMs) {
    // Few slots are scanned at bench sizes (<= 5,000): a heap would not pay for itself.
    let best = 0;
    for (let i = 1; i < free.length; i++) if ((free[i] ?? 0) < (free[best] ?? 0)) best = i;
    const finish = (free[best] ?? 0) + d;
    free[best] = finish;
    end = Math.max(end, finish);
  }
  return end;
}
