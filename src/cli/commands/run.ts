import { checkBaseUrl } from "../../api/index.js";
import { ShotlistError } from "../../errors.js";
import { createProgressReporter, formatSummary } from "../../report/index.js";
import { DEFAULT_CONCURRENCY, exitCodeOf, runManifest, tasksStillRendering } from "../../app/run-manifest.js";
import { printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { BATCH_LOCATION_OPTIONS, JSON_OPTION } from "../options.js";
import type { ErrorClass } from "../../model/rows.js";
import type { RetryFailed } from "../../runner/decide.js";
import { writeWarnings } from "./load-manifest.js";

const DEFAULT_BASE_URL = "https://api.evolink.ai";

function endpointFrom(sim: boolean, env: NodeJS.ProcessEnv): { baseUrl: string; apiKey: string } | "sim" {
  if (sim) return "sim";
  const apiKey = env.EVOLINK_API_KEY?.trim();
  if (apiKey === undefined || apiKey === "") {
    throw new ShotlistError("missing_api_key", "EVOLINK_API_KEY is not set: export EVOLINK_API_KEY=<your key> (or try the local simulator with --sim)");
  }
  return { baseUrl: checkBaseUrl(env.EVOLINK_BASE_URL?.trim() || DEFAULT_BASE_URL), apiKey };
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
    concurrency: {
      flag: "concurrency",
      kind: "whole",
      arg: "N",
      range: { min: 1, max: 1024 },
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
    downloadConcurrency: { flag: "download-concurrency", kind: "whole", arg: "N", range: { min: 1, max: 64 }, default: 4, help: "clips downloading at once" },
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
    json: { ...JSON_OPTION, help: "one JSON event per line on stdout (README: JSON output)" },
    sim: { flag: "sim", kind: "boolean", help: "run against the embedded simulator (no API key needed)" },
  },
  positionals: 1,
  async run(ctx, { json, sim, noResubmitUnknown, retryFailed, ...settings }) {
    const endpoint = endpointFrom(sim, ctx.env);
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
        // The table's choices are ERROR_CLASSES and "all".
        retryFailed: (retryFailed ?? false) as RetryFailed,
        endpoint,
        signal: ctx.signal,
        urlLifetimeMs: 24 * 3_600_000,
        resubmitUnknown: !noResubmitUnknown,
        onEmitter: (emitter) => reporter.attach(emitter),
        onWarnings: (warnings) => writeWarnings(ctx.stderr, warnings),
      });
      reporter.stop();
      const path = printable(result.reportPath);
      const report = result.reportError === undefined ? `report: ${path}` : `notice: could not write ${path}: ${printable(result.reportError)}`;
      if (mode !== "json") ctx.stdout.write(`${formatSummary(result.summary)}\n${report}\n`);
      else if (result.reportError !== undefined) ctx.stderr.write(`${report}\n`);
      if (result.outcome.interrupted) ctx.stderr.write(`${interruptedLine(tasksStillRendering(result.outcome))}\n`);
      return exitCodeOf(result.outcome);
    } finally {
      process.off("exit", stopOnExit);
      reporter.stop();
    }
  },
});

/** The last line of an interrupted run: what it leaves running, and billed, at the API. */
function interruptedLine(rendering: number): string {
  if (rendering === 0) return "interrupted: no task is rendering at the API; rerun to carry on";
  return `interrupted: ${rendering} ${rendering === 1 ? "task" : "tasks"} still rendering at the API (billed); rerun to collect them`;
}
