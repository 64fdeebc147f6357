/**
 * The one error the API client throws. The runner acts on `kind`
 * (src/runner/decide.ts); people read `message`.
 */
import { ShotlistError, type ErrorCode } from "../errors.js";

export type ApiErrorKind =
  | "rate_limited" // 429: nothing was created; wait `retryAfterMs` if given
  | "transient" // 5xx, an unreadable answer to a read, a network error before the request left
  | "ambiguous" // a create may have reached the API but no usable answer came back: the task may exist
  | "invalid" // 400/404/413 and other 4xx: fix the input
  | "auth" // 401/403
  | "quota"; // 402, or error.code quota_exceeded

/** How each kind surfaces if it ever reaches the CLI boundary uncaught. */
const EXIT_CODE_OF: Record<ApiErrorKind, ErrorCode> = {
  rate_limited: "api_unreachable",
  transient: "api_unreachable",
  ambiguous: "api_unreachable",
  invalid: "internal",
  auth: "auth",
  quota: "quota",
};

export interface ApiErrorDetails {
  kind: ApiErrorKind;
  /** HTTP status, when an answer came. */
  status?: number;
  /** The API's `error.code` (e.g. "invalid_task_id"), or "invalid_answer" for an unreadable 2xx. */
  apiCode?: string;
  /** The API's `error.type` (e.g. "rate_limit_error"). */
  apiType?: string;
  /** The API's `error.message`, as it sent it. */
  apiMessage?: string;
  /** From Retry-After on a 429, when present and readable. */
  retryAfterMs?: number;
  /** The task id an otherwise unreadable 2xx task answer carried: that task exists. */
  taskId?: string;
  cause?: unknown;
}

/**
 * Extends ShotlistError so an uncaught one still prints as a message, not a
 * stack. ShotlistError already owns `code` (the exit-code family), so the
 * API's own code is `apiCode`.
 */
export class ApiError extends ShotlistError {
  override readonly name = "ApiError";
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  readonly apiCode: string | undefined;
  readonly apiType: string | undefined;
  readonly apiMessage: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly taskId: string | undefined;

  constructor(message: string, details: ApiErrorDetails) {
    super(EXIT_CODE_OF[details.kind], message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = details.kind;
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.apiType = details.apiType;
    this.apiMessage = details.apiMessage;
    this.retryAfterMs = details.retryAfterMs;
    this.taskId = details.taskId;
  }
}
