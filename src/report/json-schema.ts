/**
 * The one JSON schema shotlist writes for machines: `run --json` events,
 * `status --json`, `validate --json`, the error any command ends with under
 * `--json`, and report.json. Every object at the top carries
 * `schema_version`; a job is the same object everywhere (`JobJson`), and
 * `profile` is null or a name, never "". README "JSON output" documents each
 * field; bump the version when one changes meaning or goes away.
 */
import { objectUrl, parseTarget } from "../deliver/index.js";
import { coerceError, ManifestError, ShotlistError, type ErrorCode, type Problem } from "../errors.js";
import type { DeliveryRow } from "../model/index.js";
import type { ErrorClass, JobRow } from "../model/rows.js";
import type { JobState } from "../model/states.js";
import { taskLatencyMs } from "./job-facts.js";

/** 2: report.json's `version` became `schema_version`, shared with every other JSON output. */
export const SCHEMA_VERSION = 2;

/** One job, as status --json and report.json show it. Holds what the database knows, never a credential. */
export interface JobJson {
  shot: string;
  take: number;
  key: string;
  state: JobState;
  task_id: string | null;
  attempts: number;
  error_class: ErrorClass | null;
  error_code: string | null;
  error_message: string | null;
  /** Relative to the batch folder. */
  output_path: string | null;
  bytes: number | null;
  sha256: string | null;
  prompt_hash: string;
  credits_reserved: number | null;
  /** Submit-to-final time of the current task. */
  latency_ms: number | null;
  /** Where the clip went after the batch folder (object storage), one entry per target; empty without --deliver. */
  deliveries: DeliveryJson[];
}

/** A job's clip in object storage, as its delivery row says. */
export interface DeliveryJson {
  target: string;
  state: DeliveryRow["state"];
  /** s3://bucket/key. */
  url: string;
  /** What the store verified (base64 SHA-256; "-N" for an object of N parts). */
  checksum: string | null;
  etag: string | null;
  error_message: string | null;
}

/** The batch's delivery rows by job key, as JSON. */
export function deliveriesByKey(rows: readonly DeliveryRow[]): Map<string, DeliveryJson[]> {
  const byKey = new Map<string, DeliveryJson[]>();
  for (const d of rows) {
    const target = parseTarget(d.target);
    const url = typeof target === "string" ? d.object_key : objectUrl(target, d.object_key);
    const entry = { target: d.target, state: d.state, url, checksum: d.checksum, etag: d.etag, error_message: d.error_message };
    byKey.set(d.key, [...(byKey.get(d.key) ?? []), entry]);
  }
  return byKey;
}

/** `shotlist status --json`. */
export interface StatusJson {
  schema_version: typeof SCHEMA_VERSION;
  batch: string;
  profile: string | null;
  /** The state file read; null when no run has made it yet. */
  state_path: string | null;
  /** Jobs of the manifest by state; `not_started` counts those no run has recorded. */
  counts: Record<JobState, number>;
  not_started: number;
  /** Whether every job of the manifest is done (what --exit-code checks). */
  all_done: boolean;
  /** Reservations of the current tasks that did not fail: what the batch holds or was billed so far. */
  credits_reserved: number;
  jobs: JobJson[];
}

/** A manifest problem: where it is and what is wrong. */
export interface ProblemJson {
  file: string;
  line: number | null;
  column: number | null;
  shot: string | null;
  severity: "error" | "warning";
  message: string;
}

/** `shotlist validate --json`. */
export interface ValidateJson {
  schema_version: typeof SCHEMA_VERSION;
  ok: boolean;
  /** The batch's name and job count when the manifest is valid. */
  batch: string | null;
  profile: string | null;
  jobs: number | null;
  problems: ProblemJson[];
}

/** What a command that ends on an error prints on stdout under --json (the usual line still goes to stderr). */
export interface ErrorJson {
  schema_version: typeof SCHEMA_VERSION;
  error: { code: ErrorCode; exit_code: number; message: string; problems: ProblemJson[] };
}

/**
 * The lines of `run --json`, one object each. Fields without a value are
 * null, never missing; `at` is an ISO 8601 UTC time.
 */
export type RunEventJson = { schema_version: typeof SCHEMA_VERSION; at: string } & (
  | { event: "run:start"; batch: string; profile: string | null; total: number; already_done: number }
  | ({ event: "job:state"; from: JobState; to: JobState; reason: string | null } & JobIdentity & JobOutcome)
  | ({ event: "job:progress"; task_id: string | null; progress: number } & JobIdentity)
  | { event: "run:notice"; key: string | null; message: string }
  /** Creates began failing for want of the API (no connection, 5xx): once per outage; they are retried for `retry_window_ms`. */
  | { event: "api:unreachable"; message: string; retry_window_ms: number }
  /** A create was answered again, after `unreachable_ms` of outage. */
  | { event: "api:reachable"; unreachable_ms: number }
  | { event: "run:end"; interrupted: boolean; total: number; counts: Record<JobState, number> }
);

type JobIdentity = Pick<JobJson, "shot" | "take" | "key">;
type JobOutcome = Pick<JobJson, "task_id" | "attempts" | "error_class" | "error_code" | "error_message">;

/** The database spells "no profile" ""; the JSON spells it null. */
export function profileJson(profile: string | null | undefined): string | null {
  return profile === undefined || profile === null || profile === "" ? null : profile;
}

export function jobJson(job: JobRow, deliveries: ReadonlyMap<string, DeliveryJson[]> = new Map()): JobJson {
  return {
    shot: job.shot_id,
    take: job.take,
    key: job.key,
    state: job.state,
    task_id: job.task_id,
    attempts: job.attempts,
    error_class: job.error_class,
    error_code: job.error_code,
    error_message: job.error_message,
    output_path: job.output_path,
    bytes: job.bytes,
    sha256: job.sha256,
    prompt_hash: job.prompt_hash,
    credits_reserved: job.credits_reserved,
    latency_ms: taskLatencyMs(job),
    deliveries: deliveries.get(job.key) ?? [],
  };
}

export function problemJson(p: Problem): ProblemJson {
  return { file: p.file, line: p.line ?? null, column: p.col ?? null, shot: p.shotId ?? null, severity: p.severity, message: p.message };
}

/** The error a command ended with, for --json; `exitCode` is what the process exits with. */
export function errorJson(err: unknown, exitCode: number): ErrorJson {
  const error = coerceError(err);
  const expected = error instanceof ShotlistError;
  return {
    schema_version: SCHEMA_VERSION,
    error: {
      code: expected ? error.code : "internal",
      exit_code: exitCode,
      message: expected ? error.message : `internal error: ${error.message}`,
      problems: error instanceof ManifestError ? error.problems.map(problemJson) : [],
    },
  };
}

/** One line of JSON: what every --json output ends with. */
export function jsonLine(value: object): string {
  return `${JSON.stringify(value)}\n`;
}
