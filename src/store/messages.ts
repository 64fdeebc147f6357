import { ShotlistError } from "../errors.js";
import type { JobState } from "../model/states.js";

/**
 * Every error the store raises, in one place, so the wording stays
 * consistent: what was expected, what came, where, and what to do.
 */

/** The holder of the lock, as its row records it. */
export interface LockHolder {
  pid: number;
  hostname: string;
  acquired_at_ms: number;
  heartbeat_ms: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function newerSchema(file: string, found: number, known: number): ShotlistError {
  return new ShotlistError(
    "state_invalid",
    `State file ${file} has schema version ${found}, but this shotlist knows versions up to ${known}: ` +
      `it was written by a newer shotlist. Upgrade shotlist, or use another state file. The file was left untouched.`,
  );
}

export function corrupt(file: string, detail: string, cause?: unknown): ShotlistError {
  return new ShotlistError(
    "state_invalid",
    `State file ${file} is not a usable SQLite database (${detail}). ` +
      `It was left untouched: move it aside to start over (jobs it recorded will be submitted again), or restore a backup.`,
    { cause },
  );
}

export function notShotlist(file: string): ShotlistError {
  return new ShotlistError(
    "state_invalid",
    `File ${file} is an SQLite database of some other program, not a shotlist state file. ` + `It was left untouched: point shotlist at another state file.`,
  );
}

/** SQLite's own lock: another program holds a write transaction on the file (not shotlist's runner lock). */
export function busy(file: string, waitedMs: number, cause?: unknown): ShotlistError {
  return new ShotlistError(
    "state_locked",
    `State file ${file} is locked by another program (SQLite: database is locked) and stayed locked for ${Math.round(waitedMs / 1000)}s: ` +
      `a tool such as the sqlite3 shell may hold a write transaction on it. Close it and run again; the file was left untouched.`,
    { cause },
  );
}

/** SQLITE_BUSY and SQLITE_LOCKED, with their extended codes. */
export function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

export function cannotOpen(file: string, cause: unknown): ShotlistError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new ShotlistError("disk", `Cannot open state file ${file}: ${reason}`, { cause });
}

export function locked(file: string, holder: LockHolder, now: number, staleMs: number): ShotlistError {
  const idle = Math.round((now - holder.heartbeat_ms) / 1000);
  return new ShotlistError(
    "state_locked",
    `State file ${file} is in use by shotlist pid ${holder.pid} on ${holder.hostname} since ${iso(holder.acquired_at_ms)} ` +
      `(last heartbeat ${idle}s ago). Wait for that run to finish or stop it. If that process is gone, ` +
      `the lock is taken over automatically once it has had no heartbeat for ${Math.round(staleMs / 1000)}s.`,
  );
}

export function lockLost(file: string): ShotlistError {
  return new ShotlistError(
    "state_locked",
    `Lost the lock on state file ${file}: another runner took it over after this one missed its heartbeats. ` +
      `Stop this run; the other one carries on from the same state.`,
  );
}

export function illegalMove(key: string, from: JobState, to: JobState): ShotlistError {
  return new ShotlistError("internal", `Job ${key}: moving from ${from} to ${to} is not a legal transition`);
}

export function wrongState(key: string, expected: JobState, actual: JobState): ShotlistError {
  return new ShotlistError("internal", `Job ${key} is not in state ${expected} (it is ${actual})`);
}

export function noSuchJob(batch: string, profile: string, key: string): ShotlistError {
  const where = profile === "" ? `batch ${batch}` : `batch ${batch}, profile ${profile}`;
  return new ShotlistError("internal", `Job ${key} does not exist in ${where}`);
}

export function badPatchColumn(name: string): ShotlistError {
  return new ShotlistError(
    "internal",
    `Expected a patch of settable job columns, got \`${name}\` (batch, profile and key never change; state moves through transition())`,
  );
}

/** SQLite's and the OS's codes for a file that cannot be written: full, read-only, failing, gone. */
const CANNOT_WRITE: Readonly<Record<string, string>> = {
  SQLITE_FULL: "database or disk is full",
  SQLITE_IOERR: "disk I/O error",
  SQLITE_READONLY: "the file or its folder is read-only",
  SQLITE_CANTOPEN: "the file can no longer be opened",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EIO: "disk I/O error",
};

function cannotWriteReason(code: string): string | undefined {
  const base = code.startsWith("SQLITE_") ? code.replace(/^(SQLITE_[A-Z]+)_.*$/, "$1") : code;
  return CANNOT_WRITE[base];
}

/**
 * What the store throws for a failure of the file itself, never SQLite's own
 * error: a full or failing disk is `disk` (the run may wait for room and try
 * again), another program's lock is `state_locked`, damage is `state_invalid`.
 * Anything else (a refused move, a bug) passes through unchanged.
 */
export function storeError(file: string, err: unknown, busyTimeoutMs: number): unknown {
  if (err instanceof ShotlistError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return err;
  const reason = cannotWriteReason(code);
  if (reason !== undefined) return new ShotlistError("disk", `cannot write the state file ${file}: ${reason} (${code})`, { cause: err });
  if (isBusy(err)) return busy(file, busyTimeoutMs, err);
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) return corrupt(file, (err as Error).message, err);
  return err;
}
