import { DEFAULT_FILES_URL, checkBaseUrl } from "../../api/index.js";
import { ShotlistError } from "../../errors.js";
import { createProgressReporter, formatSummary } from "../../report/index.js";
import { DEFAULT_CONCURRENCY, exitCodeOf, runManifest, tasksStillRendering, type CallbackSettings, type Endpoint } from "../../app/run-manifest.js";
import { MAX_CONCURRENCY } from "../../manifest/schema.js";
import { capLine } from "../../runner/budget.js";
import { counted, printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { DELIVER_ENVIRONMENT } from "../environment.js";
import { apiEndpoint } from "../endpoint.js";
import { APPROVED_OPTION, BATCH_LOCATION_OPTIONS, JSON_OPTION, SELECTION_OPTIONS } from "../options.js";
import type { ErrorClass } from "../../model/rows.js";
import type { RetryFailed } from "../../runner/decide.js";
import { writeWarnings } from "./load-manifest.js";
import { reviewHint } from "./review-hint.js";

function endpointFrom(sim: boolean, env: NodeJS.ProcessEnv): Endpoint | "sim" {
  if (sim) return "sim";
  const api = apiEndpoint(env, " (or try the local simulator with --sim)");
  return { ...api, filesUrl: checkBaseUrl(env.EVOLINK_FILES_URL?.trim() || DEFAULT_FILES_URL, "EVOLINK_FILES_URL") };
}

/** The failure classes --retry-failed=CLASS takes (src/model/rows.ts ErrorClass). */
const RETRYABLE_CLASSES = ["transient", "policy", "invalid", "timeout", "download", "disk", "account", "unknown"] as const satisfies readonly ErrorClass[];

export const runCommand = defineCommand({
  name: "run",
  summary: "render every shot of a manifest and download the clips; rerun to resume",
  usage: "shotlist run <manifest> [options]",
  // Rows named as runManifest names its options are handed to it as they are.
  options: {
    ...BATCH_LOCATION_OPTIONS,
    ...SELECTION_OPTIONS,
    concurrency: {
      flag: "concurrency",
      kind: "whole",
      arg: "N",
      range: { min: 1, max: MAX_CONCURRENCY },
      default: { text: `manifest \`concurrency\`, else ${DEFAULT_CONCURRENCY}` },
      help: "tasks in flight at the API",
    },
    pollIntervalMs: {
      flag: "poll-interval",
      kind: "seconds",
      arg: "S",
      range: { min: 0.05, max: 600 },
      default: { text: "5 (1 with `--sim`)", value: (given) => (given.sim === true ? 1 : 5) },
      help: "seconds between polls of a task",
    },
    maxAttempts: {
      flag: "max-attempts",
      kind: "whole",
      arg: "N",
      range: { min: 1, max: 20 },
      default: 2,
      help: "tasks per job when the API fails it transiently",
    },
    requestTimeoutMs: {
      flag: "request-timeout",
      kind: "seconds",
      arg: "S",
      range: { min: 0.1, max: 600 },
      default: 30,
      help: "limit on each API call; a hung answer is retried",
    },
    retryWindowMs: {
      flag: "retry-window",
      kind: "seconds",
      arg: "S",
      range: { min: 0, max: 86_400 },
      default: 300,
      help: "how long a job retries 429s, 5xx and network errors",
    },
    taskTimeoutMs: {
      flag: "task-timeout",
      kind: "seconds",
      arg: "S",
      range: { min: 1, max: 86_400 },
      default: 1800,
      help: "give up on a task after this long",
    },
    maxCredits: {
      flag: "max-credits",
      kind: "number",
      arg: "N",
      range: { min: 0.01, max: 1e9 },
      default: { text: "manifest `budget.max_credits`, else no cap" },
      help: "never create a task that could take the credits this run reserved over N; stops creating, collects, exits 1",
    },
    downloadConcurrency: { flag: "download-concurrency", kind: "whole", arg: "N", range: { min: 1, max: 64 }, default: 4, help: "clips downloading at once" },
    deliver: {
      flag: "deliver",
      kind: "string",
      arg: "S3URL",
      default: { text: "manifest `deliver.to`, else none" },
      help: "upload each saved clip and its sidecar to S3URL, s3://BUCKET/PREFIX",
    },
    deliverConcurrency: { flag: "deliver-concurrency", kind: "whole", arg: "N", range: { min: 1, max: 64 }, default: 4, help: "clips uploading at once" },
    noResubmitUnknown: { flag: "no-resubmit-unknown", kind: "boolean", help: "leave jobs whose create got no answer for you to check" },
    retryFailed: {
      flag: "retry-failed",
      kind: "optional-choice",
      arg: "CLASS",
      choices: ["all", ...RETRYABLE_CLASSES],
      bare: "all",
      help: "give failed jobs another attempt: alone, every failed and cancelled job; `=transient`, `=policy`, `=invalid`, ... only failures of that class",
    },
    rerenderExpired: { flag: "rerender-expired", kind: "boolean", help: "render again the jobs whose result URL expired unsaved" },
    verify: { flag: "verify", kind: "boolean", help: "hash every finished clip on resume (default: size check)" },
    keepUploads: { flag: "keep-uploads", kind: "boolean", help: "keep uploaded local files at EvoLink when no unfinished job needs them" },
    json: { ...JSON_OPTION, help: "one JSON event per line on stdout (README: JSON output)" },
    sim: { flag: "sim", kind: "boolean", help: "run against the embedded simulator (no API key needed)" },
    callbackUrl: {
      flag: "callback-url",
      kind: "string",
      arg: "URL",
      help: "send this `callback_url` with every create and read each task as soon as it calls back (needs `--listen`)",
    },
    listen: {
      flag: "listen",
      kind: "string",
      arg: "HOST:PORT",
      help: "where the callback receiver listens: the address the tunnel or proxy of `--callback-url` forwards to",
    },
    approved: APPROVED_OPTION,
  },
  examples: [
    { line: "shotlist run shots.yaml --profile draft", does: "cheap drafts first, with the manifest's draft profile" },
    { line: "shotlist run shots.yaml --max-credits 500", does: "stop creating tasks before this run reserves more than 500 credits" },
    { line: "shotlist run shots.yaml --retry-failed=transient", does: "send again the jobs that failed for a passing reason, not the refused prompts" },
    { line: "shotlist run shots.yaml --only s01,s02 --json", does: "only some shots, with one JSON event per line on stdout" },
    { line: "shotlist run shots.yaml --deliver s3://bucket/trailer", does: "also upload each saved clip to object storage" },
    { line: "shotlist run shots.yaml --sim", does: "against a simulator on this machine: no key, no credits" },
  ],
  environment: ["EVOLINK_API_KEY", "EVOLINK_BASE_URL", "EVOLINK_FILES_URL", ...DELIVER_ENVIRONMENT],
  positionals: 1,
  async run(ctx, { json, sim, noResubmitUnknown, callbackUrl, listen, retryFailed, ...settings }) {
    const endpoint = endpointFrom(sim, ctx.env);
    const callbacks = callbacksFrom(callbackUrl, listen);
    const progress = json ? ctx.stdout : ctx.stderr;
    const mode = json ? "json" : progress.isTTY === true ? "tty" : "plain";
    const reporter = createProgressReporter({ stream: progress, mode });
    // A second Ctrl-C leaves at once (process.exit): the bar is cleared even then.
    const stopOnExit = (): void => reporter.stop();
    process.once("exit", stopOnExit);
    try {
      const result = await runManifest({
        manifestPath: ctx.positionals[0] as string,
        ...settings,
        ...(callbacks === undefined ? {} : { callbacks }),
        // The table's choices are ERROR_CLASSES and "all".
        retryFailed: (retryFailed ?? false) as RetryFailed,
        endpoint,
        signal: ctx.signal,
        urlLifetimeMs: 24 * 3_600_000,
        resubmitUnknown: !noResubmitUnknown,
        env: ctx.env,
        onEmitter: (emitter) => reporter.attach(emitter),
        onWarnings: (warnings) => writeWarnings(ctx.stderr, warnings),
        onUnapproved: (line) => ctx.stderr.write(`${printable(line)}\n`),
      });
      reporter.stop();
      const path = printable(result.reportPath);
      const report = result.reportError === undefined ? `report: ${path}` : `notice: could not write ${path}: ${printable(result.reportError)}`;
      if (mode !== "json") ctx.stdout.write(`${formatSummary(result.summary)}\n${report}\n`);
      else if (result.reportError !== undefined) ctx.stderr.write(`${report}\n`);
      if (mode !== "json" && result.summary.by_state.done > 0) ctx.stdout.write(`${reviewHint(ctx.positionals[0] as string, ctx.values)}\n`);
      for (const clip of result.outcome.undelivered ?? []) {
        ctx.stderr.write(`not delivered: ${printable(clip.shot_id)} take ${clip.take}: ${printable(clip.message)} (the next run uploads it)\n`);
      }
      if (result.outcome.interrupted) ctx.stderr.write(`${interruptedLine(tasksStillRendering(result.outcome))}\n`);
      const { cap, stoppedBy } = result.outcome;
      if (json && cap !== undefined && stoppedBy === "budget")
        ctx.stdout.write(`${JSON.stringify({ event: "run:budget", at: new Date().toISOString(), ...cap, message: capLine(cap) })}\n`);
      return exitCodeOf(result.outcome);
    } finally {
      process.off("exit", stopOnExit);
      reporter.stop();
    }
  },
});

/** --callback-url and --listen, which go together: the URL the API posts to, and where the receiver behind it listens. */
function callbacksFrom(url: string | undefined, listen: string | undefined): CallbackSettings | undefined {
  if (url === undefined && listen === undefined) return undefined;
  if (url === undefined) throw new ShotlistError("usage", "--listen needs --callback-url: the public URL the API posts callbacks to");
  if (listen === undefined) throw new ShotlistError("usage", "--callback-url needs --listen HOST:PORT: where the receiver behind that URL listens");
  if (!/^https?:$/.test(URL.parse(url)?.protocol ?? "")) throw new ShotlistError("usage", `--callback-url expects an http(s) URL, got "${url}"`);
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (host === undefined || !(port >= 1 && port <= 65_535))
    throw new ShotlistError("usage", `--listen expects HOST:PORT with a port from 1 to 65535 (e.g. 127.0.0.1:8787), got "${listen}"`);
  return { url, host, port };
}

/** The last line of an interrupted run: what it leaves running, and billed, at the API. */
function interruptedLine(rendering: number): string {
  if (rendering === 0) return "interrupted: no task is rendering at the API; rerun to carry on";
  return `interrupted: ${counted(rendering, "task")} still rendering at the API (billed); rerun to collect them`;
}
