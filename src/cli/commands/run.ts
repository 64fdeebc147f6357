import { ShotlistError, formatProblem } from "../../errors.js";
import { createProgressReporter, formatSummary } from "../../report/index.js";
import { exitCodeOf, runManifest } from "../../app/run-manifest.js";
import type { Command, CommandContext } from "../command.js";
import { BATCH_LOCATION_HELP, BATCH_LOCATION_OPTIONS, batchLocation, flag, intOption, secondsOption } from "../options.js";

const DEFAULT_BASE_URL = "https://api.evolink.ai";

function endpointFrom(ctx: CommandContext): { baseUrl: string; apiKey: string } | "sim" {
  if (flag(ctx.values, "sim")) return "sim";
  const apiKey = ctx.env.EVOLINK_API_KEY?.trim();
  if (apiKey === undefined || apiKey === "") {
    throw new ShotlistError("missing_api_key", "EVOLINK_API_KEY is not set: export EVOLINK_API_KEY=<your key> (or try the local simulator with --sim)");
  }
  return { baseUrl: ctx.env.EVOLINK_BASE_URL?.trim() || DEFAULT_BASE_URL, apiKey };
}

export const runCommand: Command = {
  name: "run",
  summary: "render every shot of a manifest and download the clips; rerun to resume",
  usage: "shotlist run <manifest> [options]",
  optionHelp: [
    ...BATCH_LOCATION_HELP,
    "--concurrency N         tasks in flight at the API (default: manifest, else 4)",
    "--poll-interval S       seconds between polls of a task (default 5)",
    "--max-attempts N        tasks per job when the API fails it transiently (default 2)",
    "--task-timeout S        give up on a task after this long (default 1800)",
    "--request-timeout S     limit on each API call; a hung answer is retried (default 30)",
    "--retry-window S        how long a job retries 429s, 5xx and network errors (default 300)",
    "--no-resubmit-unknown   leave jobs whose create got no answer for you to check",
    "--retry-failed          give failed and cancelled jobs another attempt",
    "--rerender-expired      render again the jobs whose result URL expired unsaved",
    "--verify                hash every finished clip on resume (default: size check)",
    "--json                  one JSON event per line on stdout",
    "--sim                   run against the embedded simulator (no API key needed)",
  ],
  options: {
    ...BATCH_LOCATION_OPTIONS,
    concurrency: { type: "string" },
    "poll-interval": { type: "string" },
    "max-attempts": { type: "string" },
    "task-timeout": { type: "string" },
    "request-timeout": { type: "string" },
    "retry-window": { type: "string" },
    "no-resubmit-unknown": { type: "boolean" },
    "retry-failed": { type: "boolean" },
    "rerender-expired": { type: "boolean" },
    verify: { type: "boolean" },
    json: { type: "boolean" },
    sim: { type: "boolean" },
  },
  positionals: 1,
  async run(ctx) {
    const { values } = ctx;
    const endpoint = endpointFrom(ctx);
    const mode = flag(values, "json") ? "json" : ctx.isTTY ? "tty" : "plain";
    const reporter = createProgressReporter({ stream: mode === "json" ? ctx.stdout : ctx.stderr, mode });
    const concurrency = intOption(values, "concurrency", { min: 1, max: 1024 });
    const requestTimeoutMs = secondsOption(values, "request-timeout", { min: 0.1, max: 600 });
    try {
      const result = await runManifest({
        manifestPath: ctx.positionals[0] as string,
        ...batchLocation(values),
        ...(concurrency === undefined ? {} : { concurrency }),
        endpoint,
        ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
        signal: ctx.signal,
        pollIntervalMs: secondsOption(values, "poll-interval", { min: 0.05, max: 600 }) ?? (endpoint === "sim" ? 1_000 : 5_000),
        maxAttempts: intOption(values, "max-attempts", { min: 1, max: 20 }) ?? 2,
        taskTimeoutMs: secondsOption(values, "task-timeout", { min: 1, max: 86_400 }) ?? 30 * 60_000,
        retryWindowMs: secondsOption(values, "retry-window", { min: 0, max: 86_400 }) ?? 5 * 60_000,
        urlLifetimeMs: 24 * 3_600_000,
        downloadConcurrency: 4,
        resubmitUnknown: !flag(values, "no-resubmit-unknown"),
        retryFailed: flag(values, "retry-failed"),
        rerenderExpired: flag(values, "rerender-expired"),
        verify: flag(values, "verify"),
        onEmitter: (emitter) => reporter.attach(emitter),
        onWarnings: (warnings) => ctx.stderr.write(`${warnings.map(formatProblem).join("\n")}\n`),
      });
      reporter.stop();
      if (mode !== "json") ctx.stdout.write(`${formatSummary(result.summary)}\nreport: ${result.reportPath}\n`);
      return exitCodeOf(result.outcome);
    } finally {
      reporter.stop();
    }
  },
};
