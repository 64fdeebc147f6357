import { DEFAULT_SIM_OPTIONS, startSimulator } from "../../sim/index.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";

const SIM = DEFAULT_SIM_OPTIONS;

export const simCommand = defineCommand({
  name: "sim",
  summary: "run the embedded EvoLink simulator in the foreground until Ctrl-C",
  usage: "shotlist sim [options]",
  // Rows named as SimOptions names its fields; the defaults are the simulator's own.
  options: {
    port: { flag: "port", kind: "whole", arg: "N", range: { min: 0, max: 65_535 }, default: { text: "a free port" }, help: "listen on 127.0.0.1:N" },
    apiKey: { flag: "key", kind: "string", arg: "KEY", default: SIM.apiKey, help: "API key it accepts" },
    genTimeMs: {
      flag: "gen-time",
      kind: "seconds",
      arg: "S",
      range: { min: 0.001, max: 86_400 },
      default: SIM.genTimeMs / 1000,
      help: "seconds a task takes to generate",
    },
    jitterMs: {
      flag: "jitter",
      kind: "seconds",
      arg: "S",
      range: { min: 0, max: 86_400 },
      default: SIM.jitterMs / 1000,
      help: "generation time varies by up to ± this",
    },
    faultRate: {
      flag: "fault-rate",
      kind: "probability",
      arg: "R",
      default: 0,
      help: "probability (0-1) of each fault: 429s, 5xx, resets around a create, task failures, truncated downloads",
    },
    seed: {
      flag: "seed",
      kind: "whole",
      arg: "N",
      range: { min: 0, max: 2 ** 32 - 1 },
      default: SIM.seed,
      help: "seed of every random draw: same seed, same faults",
    },
    delayMs: { flag: "delay", kind: "seconds", arg: "S", range: { min: 0, max: 600 }, default: SIM.delayMs / 1000, help: "answer every request this late" },
    urlTtlMs: {
      flag: "url-ttl",
      kind: "seconds",
      arg: "S",
      range: { min: 0.001, max: 30 * 86_400 },
      default: SIM.urlTtlMs / 1000,
      help: "result URLs expire after this long",
    },
    refreshExpiredUrls: { flag: "refresh-urls", kind: "boolean", help: "a poll of an expired task issues a fresh URL" },
    maxInFlight: {
      flag: "max-in-flight",
      kind: "whole",
      arg: "N",
      range: { min: 1, max: 100_000 },
      default: { text: "no limit" },
      help: "tasks in flight per key before 429",
    },
    creditQuota: {
      flag: "quota",
      kind: "whole",
      arg: "N",
      range: { min: 0, max: Number.MAX_SAFE_INTEGER },
      default: { text: "unlimited" },
      help: "credits the account holds before 402",
    },
    resultBytes: { flag: "result-bytes", kind: "whole", arg: "N", range: { min: 0, max: 2 ** 40 }, help: "pad every result file to N bytes (benchmarks)" },
    honourIdempotencyKey: { flag: "idempotency", kind: "boolean", help: "honour Idempotency-Key (the public API does not document it)" },
    allowHttpCallbacks: { flag: "allow-http-callbacks", kind: "boolean", help: "accept http:// callback URLs to loopback (tests)" },
    callbackDropRate: {
      flag: "callback-drop",
      kind: "probability",
      arg: "R",
      default: SIM.callbackDropRate,
      help: "probability that a task's callback is never sent",
    },
    callbackDuplicateRate: {
      flag: "callback-duplicate",
      kind: "probability",
      arg: "R",
      default: SIM.callbackDuplicateRate,
      help: "probability that a callback is sent twice",
    },
    callbackDelayMs: {
      flag: "callback-delay",
      kind: "seconds",
      arg: "S",
      range: { min: 0, max: 600 },
      default: SIM.callbackDelayMs / 1000,
      help: "send every callback this long after its task ends",
    },
    callbackReorderRate: {
      flag: "callback-reorder",
      kind: "probability",
      arg: "R",
      default: SIM.callbackReorderRate,
      help: "probability that a callback is held back until the next one went (out of order)",
    },
    callbackForeignRate: {
      flag: "callback-foreign",
      kind: "probability",
      arg: "R",
      default: SIM.callbackForeignRate,
      help: "probability that a callback comes with one for another account's task",
    },
  },
  notes: ["Prompt markers: [policy] [transient] [transient:N] [never] [fail:<code>]"],
  examples: [
    { line: "shotlist sim --port 8787", does: "a simulator on 127.0.0.1:8787; it prints the EVOLINK_BASE_URL and key to use" },
    { line: "shotlist sim --fault-rate 0.1 --seed 7", does: "with 10 % of each fault, the same faults every time" },
  ],
  environment: [],
  positionals: 0,
  async run(ctx, { faultRate, ...options }) {
    const faults = {
      rate429: faultRate,
      rate5xx: faultRate,
      resetBeforeRate: faultRate,
      resetAfterRate: faultRate,
      failRate: faultRate,
      truncateRate: faultRate,
    };
    const sim = await startSimulator({ ...options, ...faults });
    ctx.stdout.write(`EVOLINK_BASE_URL=${sim.url} EVOLINK_API_KEY=${sim.apiKey}\n`);
    ctx.stderr.write(`shotlist sim: listening on ${sim.url} (ledger at ${sim.url}/__sim/ledger); Ctrl-C to stop\n`);
    if (!ctx.signal.aborted) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    await sim.close();
    const { creates, polls, downloads } = sim.ledger;
    ctx.stderr.write(`shotlist sim: stopped after ${creates.length} creates, ${polls.length} polls, ${downloads.length} downloads\n`);
    return EXIT.ok;
  },
});
