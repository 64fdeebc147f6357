import type { ApiErrorBody } from "../api/types.js";

/** EvoLink's error `type` for each HTTP status it answers with. */
const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "insufficient_quota_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large_error",
  429: "rate_limit_error",
  500: "internal_server_error",
  503: "service_unavailable_error",
};

/** A refusal the HTTP layer answers as `{"error": {...}}` with `status`. */
export class SimApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
    readonly suggestion: string | null = null,
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        type: TYPE_BY_STATUS[this.status] ?? "api_error",
        ...(this.param === null ? {} : { param: this.param }),
        ...(this.suggestion === null ? {} : { fallback_suggestion: this.suggestion }),
      },
    };
  }
}

/** A 400 about one request field. */
export function invalidParam(param: string, message: string): SimApiError {
  return new SimApiError(400, "invalid_parameter", message, param, `fix "${param}" and send the request again`);
}
