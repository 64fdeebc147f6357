import type { JobRow } from "../model/rows.js";
import { badPatchColumn } from "./messages.js";

/**
 * The columns of `jobs`, one entry per JobRow field: the Record type makes
 * the compiler refuse a field missing here or a name that is not a field.
 * Only these names are ever put into SQL text.
 */
const JOB_COLUMN_SET: Record<keyof JobRow, true> = {
  batch: true,
  profile: true,
  key: true,
  shot_id: true,
  take: true,
  mode: true,
  request_json: true,
  prompt_hash: true,
  state: true,
  task_id: true,
  attempts: true,
  generation: true,
  error_class: true,
  error_code: true,
  error_message: true,
  progress: true,
  credits_reserved: true,
  result_url: true,
  result_expires_at_ms: true,
  output_path: true,
  bytes: true,
  sha256: true,
  created_at_ms: true,
  submitted_at_ms: true,
  finished_at_ms: true,
  done_at_ms: true,
  updated_at_ms: true,
};

export const JOB_COLUMNS = Object.keys(JOB_COLUMN_SET) as (keyof JobRow)[];

/** Columns a patch may not set: the identity never changes, and `state` moves only through transition(). */
const NOT_PATCHABLE: ReadonlySet<string> = new Set(["batch", "profile", "key", "state"]);

/**
 * The columns a patch sets, sorted, after checking each one may be set. A key
 * whose value is undefined sets nothing (spreads of optional fields leave
 * them); to clear a column, pass null.
 */
export function patchColumns(patch: Partial<JobRow>): (keyof JobRow)[] {
  const names = Object.keys(patch)
    .filter((name) => patch[name as keyof JobRow] !== undefined)
    .sort();
  for (const name of names) {
    if (!Object.hasOwn(JOB_COLUMN_SET, name) || NOT_PATCHABLE.has(name)) {
      throw badPatchColumn(name);
    }
  }
  return names as (keyof JobRow)[];
}

/** The SELECT list that rowOf() reads: every column, in JOB_COLUMNS order. */
export const JOB_SELECT_LIST = JOB_COLUMNS.join(", ");

/**
 * The row as an object literal, from a raw statement's values in
 * JOB_COLUMNS order. better-sqlite3 builds each row object by adding its 27
 * columns one by one: ~2.5x the time of its raw arrays (a rerun of 10,000
 * jobs spent 250 ms listing them), and it leaves V8 holding the row as a
 * dictionary (~1.4 KB each, 15 MiB of a 10,000-job run's 46 MiB live heap);
 * the literal has a fixed shape of about 250 B and is faster to read. The
 * runner keeps one row per job and replaces it on every state move.
 */
export function rowOf(values: readonly unknown[]): JobRow {
  return {
    batch: values[0] as JobRow["batch"],
    profile: values[1] as JobRow["profile"],
    key: values[2] as JobRow["key"],
    shot_id: values[3] as JobRow["shot_id"],
    take: values[4] as JobRow["take"],
    mode: values[5] as JobRow["mode"],
    request_json: values[6] as JobRow["request_json"],
    prompt_hash: values[7] as JobRow["prompt_hash"],
    state: values[8] as JobRow["state"],
    task_id: values[9] as JobRow["task_id"],
    attempts: values[10] as JobRow["attempts"],
    generation: values[11] as JobRow["generation"],
    error_class: values[12] as JobRow["error_class"],
    error_code: values[13] as JobRow["error_code"],
    error_message: values[14] as JobRow["error_message"],
    progress: values[15] as JobRow["progress"],
    credits_reserved: values[16] as JobRow["credits_reserved"],
    result_url: values[17] as JobRow["result_url"],
    result_expires_at_ms: values[18] as JobRow["result_expires_at_ms"],
    output_path: values[19] as JobRow["output_path"],
    bytes: values[20] as JobRow["bytes"],
    sha256: values[21] as JobRow["sha256"],
    created_at_ms: values[22] as JobRow["created_at_ms"],
    submitted_at_ms: values[23] as JobRow["submitted_at_ms"],
    finished_at_ms: values[24] as JobRow["finished_at_ms"],
    done_at_ms: values[25] as JobRow["done_at_ms"],
    updated_at_ms: values[26] as JobRow["updated_at_ms"],
  };
}
