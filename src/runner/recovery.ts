/**
 * The recovery note: task ids a run received from the API but could not
 * commit to their jobs' rows (the run ended on an internal error, or the
 * state file refused the write). Written beside the state file; the next run
 * reads it at resume and follows those tasks instead of creating them again,
 * which would pay twice.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { writeJsonDurably } from "../download/index.js";
import type { TaskInHand } from "./job-book.js";

const NOTE_VERSION = 1;

interface RecoveryNote {
  version: number;
  batch: string;
  profile: string;
  tasks: TaskInHand[];
}

/** Task ids by job key for this batch and profile; none when there is no note or it is unreadable. */
export function readRecoveryNote(path: string, batchId: { batch: string; profile: string }): Map<string, string> {
  let note: Partial<RecoveryNote>;
  try {
    note = JSON.parse(readFileSync(path, "utf8")) as Partial<RecoveryNote>;
  } catch {
    return new Map();
  }
  if (note.version !== NOTE_VERSION || note.batch !== batchId.batch || note.profile !== batchId.profile || !Array.isArray(note.tasks)) return new Map();
  return new Map(note.tasks.filter((t) => typeof t.key === "string" && typeof t.task_id === "string").map((t) => [t.key, t.task_id]));
}

export async function writeRecoveryNote(path: string, batchId: { batch: string; profile: string }, tasks: TaskInHand[]): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await writeJsonDurably(path, { version: NOTE_VERSION, ...batchId, tasks } satisfies RecoveryNote);
}

/** Once the tasks it named are recorded on their rows. */
export function removeRecoveryNote(path: string): void {
  rmSync(path, { force: true });
}
