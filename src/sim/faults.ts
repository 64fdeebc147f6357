import type { TaskError } from "../api/types.js";
import { pickFaults, type Faults, type Route } from "./options.js";

/** Every fault the simulator can inject; each one is written to the ledger. */
export type FaultKind =
  | "delay"
  | "reset_before"
  | "reset_after"
  | "unreadable"
  | "rate_limit"
  | "server_error"
  | "unavailable"
  | "in_flight_limit"
  | "quota"
  | "truncate"
  | "short_body"
  | "task_failure"
  | "policy"
  | "transient"
  | "never"
  | "marked_failure"
  | "callback_dropped"
  | "callback_duplicated"
  | "callback_delayed"
  | "callback_reordered"
  | "callback_foreign"
  | "files_refused"
  | "dead_input";

/** mulberry32: a tiny seeded PRNG, so a faulty run repeats exactly from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The runtime fault knobs and the seeded draws that apply them. */
export class FaultPlan {
  private current: Faults;

  constructor(
    initial: Faults,
    readonly random: () => number,
  ) {
    this.current = pickFaults(initial);
  }

  get knobs(): Readonly<Faults> {
    return this.current;
  }

  set(changes: Partial<Faults>): void {
    this.current = { ...this.current, ...changes };
  }

  /**
   * True with probability p. Draws nothing when p is 0, so turning one knob on
   * does not shift the draws of a run that never uses it.
   */
  chance(p: number): boolean {
    return p > 0 && this.random() < p;
  }

  applies(route: Route): boolean {
    return this.current.faultRoutes.includes(route);
  }

  /** What the gateway does to a request before it is handled, if anything. */
  gate(route: Route): "reset_before" | "rate_limit" | "server_error" | "unavailable" | null {
    if (!this.applies(route)) return null;
    if (this.chance(this.current.resetBeforeRate)) return "reset_before";
    if (this.chance(this.current.rate429)) return "rate_limit";
    if (this.chance(this.current.rate5xx)) return this.random() < 0.5 ? "server_error" : "unavailable";
    return null;
  }

  /** A generation time drawn from genTimeMs ± jitterMs, at least 1 ms. */
  drawDurationMs(): number {
    const { genTimeMs, jitterMs } = this.current;
    return Math.max(1, Math.round(genTimeMs + (this.random() * 2 - 1) * jitterMs));
  }
}

/** Task failure codes the simulator produces, with the message EvoLink would attach. */
const TASK_FAILURES: Record<string, { type: string; message: string }> = {
  content_policy_violation: { type: "client_error", message: "Content policy violation. Your request was blocked by safety filters." },
  invalid_parameters: { type: "client_error", message: "Invalid parameters for this model." },
  image_processing_error: { type: "client_error", message: "An input image could not be processed." },
  image_dimension_mismatch: { type: "client_error", message: "Image dimensions do not match the request." },
  request_cancelled: { type: "client_error", message: "The request was cancelled." },
  generation_failed_no_content: { type: "server_error", message: "Generation produced no content. Try again later." },
  service_error: { type: "server_error", message: "The generation service failed. Try again later." },
  generation_timeout: { type: "server_error", message: "Generation timed out. Try again later." },
  resource_exhausted: { type: "server_error", message: "Generation resources are exhausted. Try again later." },
  service_unavailable: { type: "server_error", message: "The generation service is unavailable. Try again later." },
  quota_exceeded: { type: "quota_error", message: "Your account quota is exceeded." },
  resource_not_found: { type: "client_error", message: "A referenced resource was not found." },
  unknown_error: { type: "unknown_error", message: "An unknown error occurred." },
};

const RETRYABLE = ["service_error", "generation_timeout", "generation_failed_no_content", "resource_exhausted"] as const;

export function taskError(code: string): TaskError {
  const known = TASK_FAILURES[code] ?? { type: "unknown_error", message: `Task failed: ${code}.` };
  return { code, message: known.message, type: known.type };
}

/** How a task will end, decided when it is created. */
export type Outcome = { end: "completed" } | { end: "never"; fault: "never" } | { end: "failed"; code: string; fault: FaultKind };

/**
 * Reads the markers a prompt may carry:
 * - `[policy]`: fails with content_policy_violation, late (after processing), as moderation does;
 * - `[transient]` / `[transient:N]`: the first N (default 1) attempts of this exact prompt fail with service_error;
 * - `[never]`: stays processing forever;
 * - `[fail:<code>]`: fails with that task failure code.
 * (`[short]` and `[short:N]` act on the task's result file: see cutsShort.)
 * Without a marker, `failRate` may still fail the task with a retryable code.
 * `attempt` is 1 for the first create of this prompt.
 */
export function outcomeFor(prompt: string, attempt: number, plan: FaultPlan): Outcome {
  if (prompt.includes("[policy]")) return { end: "failed", code: "content_policy_violation", fault: "policy" };
  const transient = /\[transient(?::(\d+))?\]/.exec(prompt);
  if (transient !== null && attempt <= Number(transient[1] ?? 1)) return { end: "failed", code: "service_error", fault: "transient" };
  if (prompt.includes("[never]")) return { end: "never", fault: "never" };
  const marked = /\[fail:([a-z_]+)\]/.exec(prompt);
  if (marked?.[1] !== undefined) return { end: "failed", code: marked[1], fault: "marked_failure" };
  if (plan.chance(plan.knobs.failRate)) {
    const code = RETRYABLE[Math.floor(plan.random() * RETRYABLE.length)] ?? "service_error";
    return { end: "failed", code, fault: "task_failure" };
  }
  return { end: "completed" };
}

/**
 * Whether a download of a task's result serves only the first half of the
 * file, as if it were all of it. The prompt's marker decides first:
 * `[short]` cuts every download of the task's result, `[short:N]` the first N;
 * without one, `shortBodyRate` may. `download` is 1 for the task's first.
 */
export function cutsShort(prompt: string, download: number, plan: FaultPlan): boolean {
  const marked = /\[short(?::(\d+))?\]/.exec(prompt);
  if (marked !== null) return marked[1] === undefined || download <= Number(marked[1]);
  return plan.chance(plan.knobs.shortBodyRate);
}

/** What a create's unreadable answer looks like, in turn: a proxy's error page, JSON cut off, nothing. */
const UNREADABLE_BODIES = [
  { contentType: "text/html", text: "<html><body><h1>502 Bad Gateway</h1><p>upstream closed the connection</p></body></html>" },
  { contentType: "application/json", text: '{"id": "task-unified-' },
  { contentType: "application/json", text: "" },
] as const;

export type UnreadableBody = (typeof UNREADABLE_BODIES)[number];

/**
 * Whether the 200 answer to a create that made its task is unreadable, and
 * with which body: `[unreadable]` / `[unreadable:N]` in the prompt does it to
 * the first N (default 1) creates of this exact prompt, `unreadableRate` to
 * any create. `attempt` is 1 for the first create of this prompt.
 */
export function unreadableAnswer(prompt: string, attempt: number, plan: FaultPlan): UnreadableBody | null {
  const marked = /\[unreadable(?::(\d+))?\]/.exec(prompt);
  if (marked !== null && attempt <= Number(marked[1] ?? 1)) return UNREADABLE_BODIES[(attempt - 1) % UNREADABLE_BODIES.length] ?? null;
  if (!plan.chance(plan.knobs.unreadableRate)) return null;
  return UNREADABLE_BODIES[Math.floor(plan.random() * UNREADABLE_BODIES.length)] ?? null;
}
