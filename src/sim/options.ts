import { realClock, type SimClock } from "./clock.js";

/**
 * Every knob of the simulator, each with its default. `Faults` are the knobs
 * a test may change while the simulator runs (`sim.setFaults`); the rest are
 * fixed at start.
 */

/** Routes a fault may hit. Downloads are the result-file host, not the API; list and batch read many tasks (taskListing); files is the files service (uploads.ts). */
export const ROUTES = ["create", "get", "cancel", "download", "list", "batch", "files"] as const;
export type Route = (typeof ROUTES)[number];

export interface Faults {
  /**
   * Nominal generation time of a task, queue included (the first fifth is `pending`).
   * @default 2000
   */
  genTimeMs: number;
  /**
   * A task's generation time is drawn uniformly from genTimeMs ± jitterMs.
   * @default 500
   */
  jitterMs: number;
  /**
   * Tasks one API key may have pending or processing at once; a create over it
   * answers 429 with Retry-After. null: no limit.
   * @default null
   */
  maxInFlight: number | null;
  /** Probability that a request on `faultRoutes` answers a random 429. @default 0 */
  rate429: number;
  /** Probability that a request on `faultRoutes` answers 500 or 503. @default 0 */
  rate5xx: number;
  /**
   * Probability that a request's connection is destroyed before any answer.
   * On create, no task is made.
   * @default 0
   */
  resetBeforeRate: number;
  /**
   * Probability that a create makes its task, then destroys the connection
   * before answering: the client cannot know whether the task exists.
   * @default 0
   */
  resetAfterRate: number;
  /**
   * Probability that a create makes its task, then answers 200 with a body
   * that is no task: an HTML page, cut-off JSON or nothing at all. The prompt
   * marker `[unreadable]` does it whatever the rate (faults.ts).
   * @default 0
   */
  unreadableRate: number;
  /**
   * Probability that a task fails at its end with a retryable failure code
   * (service_error, generation_timeout, ...), whatever its prompt.
   * @default 0
   */
  failRate: number;
  /** Every request on `faultRoutes` waits this long before it is handled. @default 0 */
  delayMs: number;
  /**
   * Probability that a download sends half of its bytes, then closes the
   * connection (Content-Length promised the whole).
   * @default 0
   */
  truncateRate: number;
  /**
   * Probability that a download serves the first half of the file as if it
   * were the whole: Content-Length (and Content-Range) say half, and half is
   * sent, so HTTP sees nothing wrong; only the clip's own structure tells.
   * @default 0
   */
  shortBodyRate: number;
  /** Probability that a task's callback is never sent. @default 0 */
  callbackDropRate: number;
  /** Probability that a task's callback is sent twice at once. @default 0 */
  callbackDuplicateRate: number;
  /** Every callback is sent this long after its task ended. @default 0 */
  callbackDelayMs: number;
  /**
   * Probability that a callback is held back until the next one has been
   * sent (or CALLBACK_HOLD_MS passed), so the two arrive out of order.
   * @default 0
   */
  callbackReorderRate: number;
  /**
   * Probability that a callback comes with another, to the same URL, for a
   * task of another account (an id the receiver's run never made).
   * @default 0
   */
  callbackForeignRate: number;
  /**
   * Probability that an upload to the files service answers HTTP 200 with
   * `success: false` (code 500, "upload failed, please retry"), as the real
   * service may say no under 200.
   * @default 0
   */
  filesRefuseRate: number;
  /**
   * Routes that rate429, rate5xx, resetBeforeRate and delayMs apply to.
   * @default ["create", "get", "cancel", "download", "list", "batch", "files"]
   */
  faultRoutes: Route[];
}

export interface SimOptions extends Faults {
  /** @default "127.0.0.1" */
  host: string;
  /**
   * Every API request (not result downloads) is answered this long after it
   * arrives, on the simulator's clock, as a real API's 100-300 ms; the task is
   * read when the wait ends. Unlike delayMs it is no fault (no ledger entry).
   * @default 0
   * @example 100 // benchmarks
   */
  latencyMs: number;
  /** Each API request waits a further uniform draw from [0, latencyJitterMs). @default 0 */
  latencyJitterMs: number;
  /**
   * Generation times drawn from a log-normal distribution with median
   * genTimeMs and this sigma (jitterMs then unused): a long tail of slow
   * renders, as a real queue has. 0: uniform genTimeMs ± jitterMs.
   * @default 0
   * @example 0.3 // ~ +-30 % for most tasks, a few twice the median
   */
  genTimeSigma: number;
  /**
   * The estimate a pending task answers (task_info.estimated_time) is its real
   * remaining time times a factor drawn once per task, uniformly from
   * [min, max]. null: exact.
   * @default null
   * @example { min: 0.6, max: 1.6 } // a guess off by up to 40 % early or 60 % late
   */
  estimateError: { min: number; max: number } | null;
  /**
   * Progress of a processing task is (elapsed / span) ** progressExponent:
   * below 1 it rises fast and creeps near the end, as real renders report;
   * 1 is linear.
   * @default 1
   */
  progressExponent: number;
  /** 0 picks a free port. @default 0 */
  port: number;
  /** The only key accepted as `Authorization: Bearer <key>`. @default "sk-sim-local" */
  apiKey: string;
  /**
   * Seeds every random draw (faults, generation times, task id suffixes): the
   * same seed and the same requests in the same order repeat a run exactly.
   * @default 1
   */
  seed: number;
  /** How long a result URL serves its file; 403 afterwards. @default 86_400_000 (24 h) */
  urlTtlMs: number;
  /** Whether GET on a completed task whose URL has expired issues a fresh URL. @default false */
  refreshExpiredUrls: boolean;
  /**
   * Credits the account holds. A create whose reservation does not fit answers
   * 402. Failed and cancelled tasks give their credits back. null: unlimited.
   * @default null
   */
  creditQuota: number | null;
  /**
   * Whether a repeated `Idempotency-Key` returns the first task (with header
   * `idempotency-replayed: true`). Off, the header is recorded and ignored,
   * as the public API documents nothing about it.
   * @default false
   */
  honourIdempotencyKey: boolean;
  /**
   * Whether the account's task list (`GET /v1/tasks?status=&model=&type=&page=&page_size=`)
   * and the batch read (`POST /v1/tasks/batch`) exist. Off, both answer 404,
   * as the public reference documents neither (EvoLink's own clients use them).
   * @default false
   */
  taskListing: boolean;
  /**
   * Whether `POST /v1/tasks/{id}/cancel` exists. The public reference
   * documents no cancel (../shared/evolink-contract.md): off, it answers 404.
   * @default true
   */
  taskCancel: boolean;
  /**
   * Pads every result file to this many bytes (inside its `free` box; never
   * below the clip's own ~22 KB), streamed without being held in memory.
   * null: the test pattern plus the task's label.
   * @default null
   * @example 1024 ** 3 // benchmarks
   */
  resultBytes: number | null;
  /** Files one API key may hold at the files service (live: neither expired nor deleted). @default 100 */
  fileQuota: number;
  /** How long an uploaded file lives on the simulator's clock. @default 259_200_000 (72 h) */
  fileTtlMs: number;
  /** The largest upload accepted; a bigger one is refused (success false, code 413). @default 104_857_600 (100 MB) */
  maxUploadBytes: number;
  /** Seconds sent in Retry-After on 429. @default 1 */
  retryAfterS: number;
  /** A callback attempt that takes longer fails. @default 10_000 */
  callbackTimeoutMs: number;
  /** Retry delays of a failed callback are base, 2 x base, 4 x base. @default 1000 */
  callbackBackoffMs: number;
  /**
   * Test flag: also accept http callback URLs, to loopback addresses only.
   * Without it callback_url must be https to a public host, as the API documents.
   * @default false
   */
  allowHttpCallbacks: boolean;
  /**
   * What the simulator reads the time from and waits on: generation times,
   * URL expiries, delayMs, callback retries and timeouts.
   * @default realClock // Date.now and setTimeout
   * @example new ManualClock() // test/helpers/manual-clock.ts: tests move time with advance(ms)
   */
  clock: SimClock;
}

/** The names of the Faults knobs, to pick them out of options and check runtime changes. */
export const FAULT_KEYS = [
  "genTimeMs",
  "jitterMs",
  "maxInFlight",
  "rate429",
  "rate5xx",
  "resetBeforeRate",
  "resetAfterRate",
  "unreadableRate",
  "failRate",
  "delayMs",
  "truncateRate",
  "shortBodyRate",
  "callbackDropRate",
  "callbackDuplicateRate",
  "callbackDelayMs",
  "callbackReorderRate",
  "callbackForeignRate",
  "filesRefuseRate",
  "faultRoutes",
] as const satisfies readonly (keyof Faults)[];

export function pickFaults(options: Faults): Faults {
  return Object.fromEntries(FAULT_KEYS.map((k) => [k, options[k]])) as unknown as Faults;
}

/** What is wrong with fault changes that came as JSON (the admin route), one line per knob. */
export function faultProblems(changes: Record<string, unknown>): string[] {
  return Object.entries(changes).flatMap(([key, value]) => {
    if (!(FAULT_KEYS as readonly string[]).includes(key)) return [`unknown knob "${key}"; expected one of ${FAULT_KEYS.join(", ")}`];
    if (key === "faultRoutes") {
      const ok = Array.isArray(value) && value.every((r) => (ROUTES as readonly unknown[]).includes(r));
      return ok ? [] : [`faultRoutes must be a list of ${ROUTES.join(", ")}, got ${JSON.stringify(value)}`];
    }
    if (key === "maxInFlight" && value === null) return [];
    const max = key.endsWith("Rate") || key.startsWith("rate") ? 1 : Infinity;
    const ok = typeof value === "number" && value >= 0 && value <= max;
    return ok ? [] : [`${key} must be a number from 0 to ${max}, got ${JSON.stringify(value)}`];
  });
}

export const DEFAULT_SIM_OPTIONS: Readonly<SimOptions> = Object.freeze({
  genTimeMs: 2000,
  jitterMs: 500,
  maxInFlight: null,
  rate429: 0,
  rate5xx: 0,
  resetBeforeRate: 0,
  resetAfterRate: 0,
  unreadableRate: 0,
  failRate: 0,
  delayMs: 0,
  truncateRate: 0,
  shortBodyRate: 0,
  callbackDropRate: 0,
  callbackDuplicateRate: 0,
  callbackDelayMs: 0,
  callbackReorderRate: 0,
  callbackForeignRate: 0,
  filesRefuseRate: 0,
  faultRoutes: [...ROUTES],
  host: "127.0.0.1",
  latencyMs: 0,
  latencyJitterMs: 0,
  genTimeSigma: 0,
  estimateError: null,
  progressExponent: 1,
  port: 0,
  apiKey: "sk-sim-local",
  seed: 1,
  urlTtlMs: 86_400_000,
  refreshExpiredUrls: false,
  creditQuota: null,
  honourIdempotencyKey: false,
  taskListing: false,
  taskCancel: true,
  resultBytes: null,
  fileQuota: 100,
  fileTtlMs: 72 * 3_600_000,
  maxUploadBytes: 100 * 1024 * 1024,
  retryAfterS: 1,
  callbackTimeoutMs: 10_000,
  callbackBackoffMs: 1000,
  allowHttpCallbacks: false,
  clock: realClock,
});

/** Number of callback retries after the first attempt, as the API documents. */
export const CALLBACK_RETRIES = 3;
/** The longest callbackReorderRate holds a callback back when no other comes. */
export const CALLBACK_HOLD_MS = 1000;
