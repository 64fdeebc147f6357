/**
 * The recovery note: task ids a run received from the API but could not
 * commit to their jobs' rows (the run ended on an internal error, or the
 * state file refused the write). Written beside the state file, or when that
 * disk is full to the system's temp folder; the next run reads it at resume
 * and follows those tasks instead of creating them again, which would pay twice.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { writeJsonDurably } from "../download/index.js";
import type { TaskInHand } from "./job-book.js";

const NOTE_VERSION = 1;

interface RecoveryNote {
  version: number;
  batch: string;
  profile: string;
  tasks: TaskInHand[];
}

/** The second place, derived from the first so the next run finds it. */
function fallbackOf(path: string): string {
  return join(tmpdir(), `shotlist-recovered-tasks-${createHash("sha256").update(path).digest("hex").slice(0, 16)}.json`);
}

/** Task ids by job key for this batch and profile, from the note or its fallback; none when there is none. */
export function readRecoveryNote(path: string, batchId: { batch: string; profile: string }): Map<string, string> {
  const found = new Map<string, string>();
  for (const place of [fallbackOf(path), path]) {
    let note: Partial<RecoveryNote>;
    try {
      note = JSON.parse(readFileSync(place, "utf8")) as Partial<RecoveryNote>;
    } catch {
      continue;
    }
    if (note.version !== NOTE_VERSION || note.batch !== batchId.batch || note.profile !== batchId.profile || !Array.isArray(note.tasks)) continue;
    for (const t of note.tasks) if (typeof t.key === "string" && typeof t.task_id === "string") found.set(t.key, t.task_id);
  }
  return found;
}

/** Writes the note beside the state file, else to the fallback; returns where it went. Throws when neither takes it. */
export async function writeRecoveryNote(path: string, batchId: { batch: string; profile: string }, tasks: TaskInHand[]): Promise<string> {
  const note: RecoveryNote = { version: NOTE_VERSION, ...batchId, tasks };
  try {
    mkdirSync(dirname(path), { recursive: true });
    await writeJsonDurably(path, note);
    return path;
  } catch {
    const fallback = fallbackOf(path);
    await writeJsonDurably(fallback, note);
    return fallback;
  }
}

/** Once the tasks it named are recorded on their rows. */
export function removeRecoveryNote(path: string): void {
  rmSync(path, { force: true });
  rmSync(fallbackOf(path), { force: true });
}
