/**
 * Why a run stops sending creates before its work is done: one table, from
 * which the notice of the moment, the error the run ends with and (through
 * the error's code, in src/cli/exit-codes.ts) its exit code all come.
 */
import { ShotlistError, type ErrorCode } from "../errors.js";

interface StopReasonEntry {
  /** Said when it happens; tasks in flight are still collected unless the key was refused. */
  notice: string;
  /** The error the run ends with, and so its exit code. */
  code: ErrorCode;
  /** What the user reads at the end, and what to do. */
  message: string;
}

export const STOP_REASONS = {
  auth: {
    notice: "the API refused the key",
    code: "auth",
    message: "the API refused the key (401/403): check EVOLINK_API_KEY; unfinished jobs stay in the state file for the next run",
  },
  quota: {
    notice: "the account is out of credits",
    code: "quota",
    message: "the account ran out of credits: top up, then run again to render the rest (tasks already running were collected)",
  },
  rate_limited: {
    notice: "the API refused every create for the retry window (429) with no task of this run in flight",
    code: "api_unreachable",
    message:
      "the API answered 429 (rate limited) to every create for the whole retry window with no task of this run in flight: stopped sending; run again later to render the rest (their jobs stay queued)",
  },
  unreachable: {
    notice: "the API could not be reached (network errors or 5xx) for the whole retry window",
    code: "api_unreachable",
    message: "could not reach the API: no task was created for the jobs left, which stay queued (nothing was billed for them); run again to carry on",
  },
  disk_full: {
    notice: "the disk stayed too full to go on for the whole retry window",
    code: "disk",
    message:
      "the disk ran out of room (see the notices above): free space, then run again to render the rest (their jobs stay queued; tasks already running were collected)",
  },
  budget: {
    notice: "the credit cap is reached",
    code: "budget",
    message:
      "the credit cap is reached: run again with a larger --max-credits (or budget.max_credits) to render the rest (tasks already running were collected)",
  },
} as const satisfies Record<string, StopReasonEntry>;

export type StopReason = keyof typeof STOP_REASONS;

/** The error a run that stopped for `reason` ends with; `detail`, what the API said when it happened. */
export function stopError(reason: StopReason, detail?: string): ShotlistError {
  const entry: StopReasonEntry = STOP_REASONS[reason];
  return new ShotlistError(entry.code, detail === undefined ? entry.message : `${entry.message} (last: ${detail})`);
}

/** Keeps why submitting stopped for the whole run, the first reason only. */
export class RunStop {
  #reason: StopReason | undefined;
  #detail: string | undefined;

  constructor(private readonly notice: (message: string) => void) {}

  get reason(): StopReason | undefined {
    return this.#reason;
  }

  /** What was said when the run stopped. */
  get detail(): string | undefined {
    return this.#detail;
  }

  /** Stops sending creates for the rest of the run; says so once, with what the API said. */
  stop(reason: StopReason, message: string): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#detail = message;
    this.notice(`${STOP_REASONS[reason].notice}: no new tasks will be sent this run (${message})`);
  }
}
