import { ShotlistError } from "../../errors.js";
import { startSimulator, type SimOptions } from "../../sim/index.js";
import type { Command, OptionValues } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { flag, intOption, secondsOption, stringOption } from "../options.js";

/** Reads an optional probability from 0 to 1. */
function rateOption(values: OptionValues, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && /^(0|1|0?\.\d+)$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 1)) throw new ShotlistError("usage", `--${name} expects a probability from 0 to 1, got "${String(raw)}"`);
  return n;
}

/** Options given on the command line only, so the simulator's defaults apply to the rest. */
function optionsFrom(values: OptionValues): Partial<SimOptions> {
  const rate = rateOption(values, "fault-rate");
  const picked: Partial<Record<keyof SimOptions, unknown>> = {
    port: intOption(values, "port", { min: 0, max: 65_535 }),
    apiKey: stringOption(values, "key"),
    seed: intOption(values, "seed", { min: 0, max: 2 ** 32 - 1 }),
    genTimeMs: secondsOption(values, "gen-time", { min: 0.001, max: 86_400 }),
    jitterMs: secondsOption(values, "jitter", { min: 0, max: 86_400 }),
    delayMs: secondsOption(values, "delay", { min: 0, max: 600 }),
    urlTtlMs: secondsOption(values, "url-ttl", { min: 0.001, max: 30 * 86_400 }),
    maxInFlight: intOption(values, "max-in-flight", { min: 1, max: 100_000 }),
    creditQuota: intOption(values, "quota", { min: 0, max: Number.MAX_SAFE_INTEGER }),
    resultBytes: intOption(values, "result-bytes", { min: 0, max: 2 ** 40 }),
    ...(rate === undefined ? {} : { rate429: rate, rate5xx: rate, resetBeforeRate: rate, resetAfterRate: rate, failRate: rate, truncateRate: rate }),
    ...(flag(values, "idempotency") ? { honourIdempotencyKey: true } : {}),
    ...(flag(values, "refresh-urls") ? { refreshExpiredUrls: true } : {}),
    ...(flag(values, "allow-http-callbacks") ? { allowHttpCallbacks: true } : {}),
  };
  return Object.fromEntries(Object.entries(picked).filter(([, v]) => v !== undefined)) as Partial<SimOptions>;
}

export const simCommand: Command = {
  name: "sim",
  summary: "run the embedded EvoLink simulator in the foreground until Ctrl-C",
  usage: "shotlist sim [options]",
  optionHelp: [
    "--port N                listen on 127.0.0.1:N (default: a free port)",
    "--key KEY               API key it accepts (default sk-sim-local)",
    "--gen-time S            seconds a task takes to generate (default 2)",
    "--jitter S              generation time varies by up to ± this (default 0.5)",
    "--fault-rate R          probability (0-1) of each fault: random 429 and 5xx, connection resets",
    "                        before and after a create, task failures, truncated downloads (default 0)",
    "--seed N                seed of every random draw: same seed, same faults (default 1)",
    "--delay S               answer every request this late (default 0)",
    "--url-ttl S             result URLs expire after this long (default 86400)",
    "--refresh-urls          a poll of an expired task issues a fresh URL",
    "--max-in-flight N       tasks in flight per key before 429 (default: no limit)",
    "--quota N               credits the account holds before 402 (default: unlimited)",
    "--result-bytes N        pad every result file to N bytes (benchmarks)",
    "--idempotency           honour Idempotency-Key (the public API does not document it)",
    "--allow-http-callbacks  accept http:// callback URLs to loopback (tests)",
    "Prompt markers: [policy] [transient] [transient:N] [never] [fail:<code>]",
  ],
  options: {
    port: { type: "string" },
    key: { type: "string" },
    "gen-time": { type: "string" },
    jitter: { type: "string" },
    "fault-rate": { type: "string" },
    seed: { type: "string" },
    delay: { type: "string" },
    "url-ttl": { type: "string" },
    "refresh-urls": { type: "boolean" },
    "max-in-flight": { type: "string" },
    quota: { type: "string" },
    "result-bytes": { type: "string" },
    idempotency: { type: "boolean" },
    "allow-http-callbacks": { type: "boolean" },
  },
  positionals: 0,
  async run(ctx) {
    const sim = await startSimulator(optionsFrom(ctx.values));
    ctx.stdout.write(`EVOLINK_BASE_URL=${sim.url} EVOLINK_API_KEY=${sim.apiKey}\n`);
    ctx.stderr.write(`shotlist sim: listening on ${sim.url} (ledger at ${sim.url}/__sim/ledger); Ctrl-C to stop\n`);
    if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    await sim.close();
    const { creates, polls, downloads } = sim.ledger;
    ctx.stderr.write(`shotlist sim: stopped after ${creates.length} creates, ${polls.length} polls, ${downloads.length} downloads\n`);
    return EXIT.ok;
  },
};
