/**
 * The one error hierarchy of shotlist. Every failure a user can meet is a
 * ShotlistError with a stable `code`; the CLI maps codes to exit codes in one
 * place (src/cli/exit-codes.ts). Messages are user-facing: say what was
 * expected, what came, and where.
 */
export type ErrorCode =
  | "usage" // bad command line
  | "invalid_manifest" // manifest could not be read or failed validation
  | "missing_api_key"
  | "auth" // the API refused the key (401/403 on the account)
  | "quota" // the account ran out of credits (402, quota_exceeded)
  | "api_unreachable"
  | "state_locked" // another runner holds the state file
  | "state_invalid" // state file corrupt, or from a newer shotlist
  | "disk" // could not write outputs (ENOSPC, EACCES, ...)
  | "storage" // the object store for --deliver refused the probe (credentials, bucket, prefix) or could not be reached
  | "missing_tool" // a program shotlist needs (ffmpeg) is not installed
  | "interrupted"
  | "callback_listen" // the callback receiver could not listen where --listen says
  | "budget" // the run stopped creating at its credit cap (--max-credits)
  | "not_offered" // the API has no such endpoint (404/405): cancel
  | "internal";

export class ShotlistError extends Error {
  override readonly name: string = "ShotlistError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A problem found in a manifest, located in its source. */
export interface Problem {
  /** Path of the manifest as the user gave it. */
  file: string;
  /** 1-based; absent when the problem has no single place (e.g. the file is empty). */
  line?: number;
  col?: number;
  /** The shot the problem belongs to, when there is one. */
  shotId?: string;
  message: string;
  severity: "error" | "warning";
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  const shot = p.shotId === undefined ? "" : ` shot ${p.shotId}`;
  const level = p.severity === "warning" ? " warning" : "";
  return `${where}${shot}${level}: ${p.message}`;
}

/** Problems a ManifestError's message lists: a broken 100,000-shot manifest must not print 100,000 lines. */
export const MAX_PROBLEMS_SHOWN = 50;

/** A manifest that failed to load or validate: carries every problem at once; its message shows the first 50. */
export class ManifestError extends ShotlistError {
  override readonly name = "ManifestError";
  constructor(readonly problems: Problem[]) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
    const more = problems.length - shown.length;
    if (more > 0) shown.push(`... and ${more} more problem(s), ${problems.length} in all: fix these first`);
    super("invalid_manifest", shown.join("\n"));
  }
}

/** Turns anything thrown into an Error, so handlers never deal with `unknown`; a non-Error stays as the cause. */
export function coerceError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === "string" ? err : JSON.stringify(err), { cause: err });
}
