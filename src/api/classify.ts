/**
 * Which ApiErrorKind a failed call is, as one pure function of what is known
 * about it. Tested as a table in test/api/classify.test.ts.
 */
import type { ApiErrorKind } from "./api-error.js";
import type { ApiErrorBody } from "./types.js";

/** "create" may leave a task behind when its answer is lost; reads and cancels never do. */
export type Operation = "create" | "read";

export interface FailureFacts {
  operation: Operation;
  /**
   * HTTP status, when an answer arrived. A 2xx here means its body could not
   * be read as a task (invalid_answer).
   */
  status?: number;
  body?: ApiErrorBody;
  /** What the network layer threw, when no (complete) answer arrived. */
  networkError?: unknown;
}

/**
 * Error codes that prove the request never left this machine: the server
 * cannot have acted on it.
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

export function classifyFailure(facts: FailureFacts): ApiErrorKind {
  const { operation, status, body } = facts;
  if (status === undefined) {
    if (neverSent(facts.networkError)) return "transient";
    return operation === "create" ? "ambiguous" : "transient";
  }
  if (status >= 200 && status < 300) {
    // A create answered 2xx: the task almost surely exists, but its id is unreadable.
    return operation === "create" ? "ambiguous" : "transient";
  }
  if (body?.error.code === "quota_exceeded" || status === 402) return "quota";
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 408 || status >= 500) return "transient";
  if (status >= 400) return "invalid";
  // 1xx/3xx are not answers this API gives: read them as an unreadable answer.
  return operation === "create" ? "ambiguous" : "transient";
}

/** Follows the `cause` chain: undici wraps the socket's error in its own. */
function neverSent(err: unknown): boolean {
  for (let e = err, depth = 0; typeof e === "object" && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
  }
  return false;
}

/**
 * Reads Retry-After: either delay-seconds or an HTTP date.
 * Returns undefined when absent or unreadable, so the caller picks its own backoff.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Date.parse is lenient ("5.5" is a date to V8): an HTTP date always names a day or month.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
