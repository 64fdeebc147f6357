/**
 * One `shotlist run`: load the manifest, open the batch's state (and its
 * lock), connect to the API (or start the simulator), run, write the report.
 * Owns every resource it opens and closes them all, whatever happens.
 */
import { realpathSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ApiError, createApiClient, createFilesClient, DEFAULT_FILES_URL, type ApiClient } from "../api/index.js";
import { batchDir, createLocalFolder, defaultStatePath, reportPath, type ClipMirror } from "../deliver/index.js";
import type { Selection } from "../manifest/select.js";
import { ShotlistError, coerceError, type Problem } from "../errors.js";
import type { Batch, Job } from "../manifest/job.js";
import { creditsCount } from "../manifest/estimate.js";
import type { JobRow } from "../model/rows.js";
import { capLine } from "../runner/budget.js";
import { planFate, SENT_FATES, type ResumeOptions } from "../runner/decide.js";
import { aboutCredits, estimateLine, estimateSend, type SendEstimate } from "./estimate.js";
import type { JobState } from "../model/states.js";
import { badCallback } from "../manifest/urls.js";
import { buildReport, summarize, writeReport, type RunSummary } from "../report/index.js";
import { startSimulator, type Simulator } from "../sim/index.js";
import { openStore, type BatchSource, type RunSource } from "../store/index.js";
import { startCallbackReceiver, type CallbackReceiver } from "../runner/callback-receiver.js";
import { RunnerEmitter } from "../runner/emitter.js";
import { runBatch, type RunOutcome, type RunnerConfig } from "../runner/scheduler.js";
import { stopError } from "../runner/stop-reasons.js";
import { loadSelectedBatch, unapprovedLine } from "./approved.js";
import { checkFolderCanBeMade } from "./output-place.js";
import { deliveryTarget, openMirror } from "./delivery.js";

export interface RunManifestOptions extends Omit<RunnerConfig, "batch" | "concurrency" | "recoveryPath" | "room">, Selection {
  manifestPath: string;
  profile?: string;
  outDir: string;
  statePath?: string;
  /** Overrides the manifest's `concurrency`; 4 when neither says. */
  concurrency?: number;
  /** Where the API is (and the files service, for local files), or "sim" to start the embedded simulator, which serves both. */
  endpoint: Endpoint | "sim";
  /** Limit on each API call, connect to last byte: a hung answer is retried after this. @default 30000 */
  requestTimeoutMs?: number;
  signal: AbortSignal;
  /** --callback-url and --listen: every create carries `url`, and a receiver on host:port takes its callbacks for the run's length. */
  callbacks?: CallbackSettings;
  /** Called once the emitter exists, so a display can subscribe before the first event. */
  onEmitter?: (emitter: RunnerEmitter) => void;
  onWarnings?: (warnings: Problem[]) => void;
  /** s3://BUCKET/PREFIX: replaces the manifest's `deliver.to`. */
  deliver?: string;
  /** Where the object store's endpoint variables are read (credentials: the AWS SDK's default chain). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Render only the shots the picks file approves (`run --approved`). */
  approved?: boolean;
  /** With `approved`: the line listing the shots left out. */
  onUnapproved?: (line: string) => void;
}

export interface RunManifestResult {
  outcome: RunOutcome;
  summary: RunSummary;
  reportPath: string;
  /** Why report.json could not be written, when it could not. */
  reportError?: string;
}

export interface CallbackSettings {
  url: string;
  host: string;
  port: number;
}

export const DEFAULT_CONCURRENCY = 4;

export interface Endpoint {
  baseUrl: string;
  apiKey: string;
  /** The files service's base URL (EVOLINK_FILES_URL). @default https://files-api.evolink.ai */
  filesUrl?: string;
}

export async function runManifest(options: RunManifestOptions): Promise<RunManifestResult> {
  const { batch, warnings, unapproved } = await loadSelectedBatch(options.manifestPath, options);
  const callbackWarning = options.callbacks === undefined ? undefined : callbackUrlWarning(options.callbacks.url);
  if (callbackWarning !== undefined) warnings.push(callbackWarning);
  if (warnings.length > 0) options.onWarnings?.(warnings);
  const leftOut = unapproved === undefined ? undefined : unapprovedLine(unapproved);
  if (leftOut !== undefined) options.onUnapproved?.(leftOut);
  const outDir = resolve(options.outDir);
  const root = batchDir(outDir, batch.name);
  const statePath = options.statePath === undefined ? defaultStatePath(outDir, batch.name) : resolve(options.statePath);
  const target = deliveryTarget(batch, options.deliver);

  await checkFolderCanBeMade(root, "output folder");
  await checkFolderCanBeMade(dirname(statePath), "state file's folder");

  // The state file is checked and locked before the simulator starts: a refused file must not leave a server running.
  const store = openStore(statePath);
  let sim: Simulator | undefined;
  let mirror: ClipMirror | undefined;
  let receiver: CallbackReceiver | undefined;
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
    // Before anything is created (and paid): a store that refuses ends the run here.
    mirror = target === undefined ? undefined : await openMirror(target, batch, root, options.env ?? process.env);
    // The embedded simulator calls back over http to loopback, so --sim can try --callback-url locally.
    sim = options.endpoint === "sim" ? await startSimulator({ genTimeMs: 2_000, jitterMs: 1_000, allowHttpCallbacks: true }) : undefined;
    // Listening before the first create: a task can end, and call back, before its create's answer is read.
    const { callbacks } = options;
    if (callbacks !== undefined) receiver = await startCallbackReceiver({ ...callbacks, path: new URL(callbacks.url).pathname });
    const listening = callbacks === undefined || receiver === undefined ? {} : { callbacks: { url: callbacks.url, inbox: receiver } };
    const endpoint = sim === undefined ? (options.endpoint as Endpoint) : { baseUrl: sim.url, apiKey: sim.apiKey, filesUrl: sim.url };
    const api = createApiClient({
      baseUrl: endpoint.baseUrl,
      apiKey: endpoint.apiKey,
      ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }),
    });
    const files = createFilesClient({ baseUrl: endpoint.filesUrl ?? DEFAULT_FILES_URL, apiKey: endpoint.apiKey });
    const clips = createLocalFolder({ root, now: Date.now });
    try {
      const emitter = new RunnerEmitter();
      options.onEmitter?.(emitter);
      const rows = store.listJobs(batch.name, batch.profile ?? "");
      await sayEstimate(emitter, api, estimateSend(jobsToSend(batch, rows, options), rows));
      const maxCredits = options.maxCredits ?? batch.maxCredits;
      const startedAtMs = Date.now();
      const outcome = await runBatch(
        {
          ...options,
          batch,
          recoveryPath: recoveryNotePath(statePath),
          room: { statePath, clipsPath: root },
          concurrency: options.concurrency ?? batch.concurrency ?? DEFAULT_CONCURRENCY,
          ...(maxCredits === undefined ? {} : { maxCredits }),
        },
        { store, api, files, emitter, clips, signal: options.signal, ...listening, ...(mirror === undefined ? {} : { mirror }) },
      );
      const summary = summarize(outcome.jobs, { startedAtMs, endedAtMs: Date.now() });
      const path = reportPath(outDir, batch.name, batch.profile ?? "");
      // A paid run's outcome must not be lost to its report: a report that cannot be written (a full disk) is said, not thrown.
      const report = buildReport({
        batch: batch.name,
        profile: batch.profile,
        summary,
        jobs: outcome.jobs,
        interrupted: outcome.interrupted,
        deliveries: store.listDeliveries(batch.name, batch.profile ?? ""),
        byProfile: new Map(store.listProfiles(batch.name).map((profile) => [profile, store.listJobs(batch.name, profile)])),
        ...(outcome.cap === undefined ? {} : { budget: outcome.cap }),
      });
      // A profile's report goes in its folder, which a run that saved no clip has not made.
      const reportError = await mkdir(dirname(path), { recursive: true })
        .then(() => writeReport(path, report))
        .then(
          () => undefined,
          (err: unknown) => coerceError(err).message,
        );
      return { outcome, summary, reportPath: path, ...(reportError === undefined ? {} : { reportError }) };
    } finally {
      await Promise.all([clips.close(), api.close(), files.close()]);
    }
  } finally {
    mirror?.close();
    store.close();
    await Promise.all([sim?.close(), receiver?.close()]);
  }
}

/** A callback URL the real API would refuse is sent all the same (a local gateway or the simulator may take it), with a warning. */
function callbackUrlWarning(url: string): Problem | undefined {
  const why = badCallback(url);
  return why === undefined ? undefined : { file: "--callback-url", severity: "warning", message: `${url} ${why}: sent as given` };
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

/**
 * The jobs a run will send, by the rules resume follows (plan's fates): new
 * and requeued ones, and unknown ones it resends.
 */
function jobsToSend(batch: Batch, rows: readonly JobRow[], options: ResumeOptions): Job[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return batch.jobs.filter((job) => SENT_FATES.has(planFate(byKey.get(job.key), options)));
}

/** Before the first create: what the run will send is estimated to cost, and whether the account's balance (where the API tells it) covers it. */
async function sayEstimate(emitter: RunnerEmitter, api: ApiClient, estimate: SendEstimate): Promise<void> {
  const notice = (message: string): void => emitter.emit("run:notice", { message, at_ms: Date.now() });
  if (estimate.jobs.length === 0) return;
  notice(estimateLine(estimate));
  const balance = await api.getCredits().catch((err: unknown) => {
    // The balance is a courtesy: an API that cannot tell it now does not stop the run.
    if (err instanceof ApiError) return undefined;
    throw err;
  });
  if (balance !== undefined && estimate.credits > balance)
    notice(
      `the estimate (${aboutCredits(estimate.credits)}) exceeds the account's balance of ${creditsCount(balance)}: the run starts anyway, and stops creating when the API refuses for want of credits`,
    );
}

/** 0 all done (and delivered); 1 some shots did not end done, or a done clip could not be delivered; 130 interrupted; a run that stopped sending ends with its stop reason's error. */
export function exitCodeOf(outcome: RunOutcome): number {
  if (outcome.interrupted) return 130;
  if (outcome.stoppedBy === "budget" && outcome.cap !== undefined) throw new ShotlistError("budget", capLine(outcome.cap));
  if (outcome.stoppedBy !== undefined) throw stopError(outcome.stoppedBy, outcome.stopDetail);
  return outcome.jobs.every((j) => j.state === "done") && (outcome.undelivered ?? []).length === 0 ? 0 : 1;
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
