/**
 * One `shotlist run`: load the manifest, open the batch's state (and its
 * lock), connect to the API (or start the simulator), run, write the report.
 * Owns every resource it opens and closes them all, whatever happens.
 */
import { realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { createApiClient } from "../api/index.js";
import { batchDir, createLocalFolder, defaultStatePath, reportPath } from "../deliver/index.js";
import { loadBatch } from "../manifest/load.js";
import { coerceError, type Problem } from "../errors.js";
import type { JobState } from "../model/states.js";
import { buildReport, summarize, writeReport, type RunSummary } from "../report/index.js";
import { startSimulator, type Simulator } from "../sim/index.js";
import { openStore, type BatchSource, type RunSource } from "../store/index.js";
import { RunnerEmitter } from "../runner/emitter.js";
import { runBatch, type RunOutcome, type RunnerConfig } from "../runner/scheduler.js";
import { stopError } from "../runner/stop-reasons.js";
import { checkFolderCanBeMade } from "./output-place.js";

export interface RunManifestOptions extends Omit<RunnerConfig, "batch" | "concurrency" | "recoveryPath" | "room"> {
  manifestPath: string;
  profile?: string;
  outDir: string;
  statePath?: string;
  /** Overrides the manifest's `concurrency`; 4 when neither says. */
  concurrency?: number;
  /** Where the API is, or "sim" to start the embedded simulator. */
  endpoint: { baseUrl: string; apiKey: string } | "sim";
  /** Limit on each API call, connect to last byte: a hung answer is retried after this. @default 30000 */
  requestTimeoutMs?: number;
  signal: AbortSignal;
  /** Called once the emitter exists, so a display can subscribe before the first event. */
  onEmitter?: (emitter: RunnerEmitter) => void;
  onWarnings?: (warnings: Problem[]) => void;
}

export interface RunManifestResult {
  outcome: RunOutcome;
  summary: RunSummary;
  reportPath: string;
  /** Why report.json could not be written, when it could not. */
  reportError?: string;
}

export const DEFAULT_CONCURRENCY = 4;

export async function runManifest(options: RunManifestOptions): Promise<RunManifestResult> {
  const { batch, warnings } = await loadBatch(options.manifestPath, options.profile === undefined ? {} : { profile: options.profile });
  if (warnings.length > 0) options.onWarnings?.(warnings);
  const outDir = resolve(options.outDir);
  const root = batchDir(outDir, batch.name);
  const statePath = options.statePath === undefined ? defaultStatePath(outDir, batch.name) : resolve(options.statePath);

  await checkFolderCanBeMade(root, "output folder");
  await checkFolderCanBeMade(dirname(statePath), "state file's folder");

  // The state file is checked and locked before the simulator starts: a refused file must not leave a server running.
  const store = openStore(statePath);
  let sim: Simulator | undefined;
  try {
    store.lease.acquire();
    const source: RunSource = {
      batch: batch.name,
      profile: batch.profile ?? "",
      manifest_path: options.manifestPath,
      manifest_resolved: realpathSync(options.manifestPath),
    };
    const switched = anotherManifest(store.recordRun(source), source);
    if (switched !== undefined) options.onWarnings?.([switched]);
    sim = options.endpoint === "sim" ? await startSimulator({ genTimeMs: 2_000, jitterMs: 1_000 }) : undefined;
    const endpoint = sim === undefined ? (options.endpoint as { baseUrl: string; apiKey: string }) : { baseUrl: sim.url, apiKey: sim.apiKey };
    const api = createApiClient({ ...endpoint, ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }) });
    const clips = createLocalFolder({ root, now: Date.now });
    try {
      const emitter = new RunnerEmitter();
      options.onEmitter?.(emitter);
      const startedAtMs = Date.now();
      const outcome = await runBatch(
        {
          ...options,
          batch,
          recoveryPath: recoveryNotePath(statePath),
          room: { statePath, clipsPath: root },
          concurrency: options.concurrency ?? batch.concurrency ?? DEFAULT_CONCURRENCY,
        },
        { store, api, emitter, clips, signal: options.signal },
      );
      const summary = summarize(outcome.jobs, { startedAtMs, endedAtMs: Date.now() });
      const path = reportPath(outDir, batch.name, batch.profile ?? "");
      // A paid run's outcome must not be lost to its report: a report that cannot be written (a full disk) is said, not thrown.
      const report = buildReport({ batch: batch.name, profile: batch.profile, summary, jobs: outcome.jobs, interrupted: outcome.interrupted });
      // A profile's report goes in its folder, which a run that saved no clip has not made.
      const reportError = await mkdir(dirname(path), { recursive: true })
        .then(() => writeReport(path, report))
        .then(
          () => undefined,
          (err: unknown) => coerceError(err).message,
        );
      return { outcome, summary, reportPath: path, ...(reportError === undefined ? {} : { reportError }) };
    } finally {
      await Promise.all([clips.close(), api.close()]);
    }
  } finally {
    store.close();
    await sim?.close();
  }
}

/**
 * The warning for a batch last run from another manifest with the same name
 * (on purpose or not): the shots they share with different prompts take
 * turns at the same clip paths. It runs anyway.
 */
function anotherManifest(previous: BatchSource | undefined, current: RunSource): Problem | undefined {
  if (previous === undefined || previous.manifest_resolved === current.manifest_resolved) return undefined;
  const batch = current.profile === "" ? `batch "${current.batch}"` : `batch "${current.batch}" (profile ${current.profile})`;
  return {
    file: current.manifest_path,
    severity: "warning",
    message:
      `${batch} was last run from another manifest, ${previous.manifest_path} (${previous.manifest_resolved}), not ${current.manifest_resolved}: ` +
      "running anyway; where the two differ, each run's clips take the other's place (kept in history/)",
  };
}

/** 0 all done; 1 some shots did not end done; 130 interrupted; a run that stopped sending ends with its stop reason's error. */
export function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.interrupted) return 130;
  if (outcome.stoppedBy !== undefined) throw stopError(outcome.stoppedBy, outcome.stopDetail);
  return outcome.jobs.every((j) => j.state === "done") ? 0 : 1;
}

/** States whose job may have a task at the API, rendering and billed, that a rerun collects; `unknown` when its create reached it. */
const AT_THE_API: ReadonlySet<JobState> = new Set(["submitting", "generating", "unknown"]);

/** Tasks a run that stops now leaves rendering at the API. */
export function tasksStillRendering(outcome: RunOutcome): number {
  return outcome.jobs.filter((job) => AT_THE_API.has(job.state)).length;
}

/** Beside the state file: task ids a failed run could not record, for the next run to follow. */
export function recoveryNotePath(statePath: string): string {
  return `${statePath}.recovered-tasks.json`;
}
