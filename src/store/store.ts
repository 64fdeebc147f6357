import type { Batch } from "../manifest/job.js";
import type { JobState } from "../model/states.js";
import { JobTable } from "./jobs.js";
import { DEFAULT_LOCK_STALE_MS, StateLock } from "./lock.js";
import { openDatabase } from "./open-database.js";
import type { EventInput, EventKind, EventRow, JobId, JobRow } from "../model/rows.js";


export interface StoreOptions {
  /** Clock for every *_ms the store writes. @default Date.now */
  now?: () => number;
  /** A lock with no heartbeat for this long may be taken over. @default 30_000 */
  lockStaleMs?: number;
}

/** One state move, for transitionMany(). */
export interface Move {
  id: JobId;
  from: JobState;
  to: JobState;
  patch?: Partial<JobRow>;
  event?: EventInput;
}

/**
 * The checkpoint of a batch run: one SQLite file in WAL mode, synchronous
 * FULL. Every method is synchronous and commits before it returns, so what
 * the runner was told is what a crash leaves on disk.
 *
 * Readers (status, report) may open the store without the lock; a runner
 * calls acquireLock() before its first write and heartbeat() every few
 * seconds (well within lockStaleMs).
 */
export interface Store {
  readonly path: string;

  /** Takes the state file for this runner; throws ShotlistError("state_locked") while another lives. */
  acquireLock(): void;
  /** Keeps the lock alive; throws ShotlistError("state_locked") if another runner took it over. */
  heartbeat(): void;
  releaseLock(): void;
  readonly lockHeld: boolean;

  /** Adds a `queued` row for every job key not yet recorded, in one transaction. */
  syncJobs(batch: Batch): { added: number; existing: number };
  getJob(batch: string, profile: string, key: string): JobRow | undefined;
  /** All jobs of a batch and profile ("" for none), by shot id, take and key. */
  listJobs(batch: string, profile: string): JobRow[];
  /** Those not in a final state: what a resumed run still has to do. */
  listUnfinishedJobs(batch: string, profile: string): JobRow[];

  /**
   * Moves a job from `from` to `to`, applies `patch` and appends an event
   * (kind "transition" unless given), all in one transaction. Throws
   * ShotlistError("internal") if the move is illegal or the job is not in
   * `from`. Returns the updated row.
   */
  transition(id: JobId, from: JobState, to: JobState, patch?: Partial<JobRow>, event?: EventInput): JobRow;
  /** Several moves in one transaction: all of them commit, or none. */
  transitionMany(moves: readonly Move[]): JobRow[];
  /** A change that is not a state move (progress, the error of a retry); an event only if given. */
  update(id: JobId, patch: Partial<JobRow>, event?: EventInput): JobRow;
  recordEvent(id: JobId, kind: EventKind, detail?: unknown): EventRow;
  /** The history of a batch, or of one job in it, in the order it happened. */
  listEvents(batch: string, profile: string, key?: string): EventRow[];
  /** Runs synchronous `fn` as one transaction, so its writes share one commit. */
  batchTransaction<T>(fn: () => T): T;

  /** Releases the lock if held and closes the file. Safe to call twice. */
  close(): void;
}

export function openStore(path: string, options: StoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const db = openDatabase(path);
  const lock = new StateLock(db, path, now, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS);
  const jobs = new JobTable(db, now);
  return {
    path,
    acquireLock: () => lock.acquire(),
    heartbeat: () => lock.heartbeat(),
    releaseLock: () => lock.release(),
    get lockHeld() {
      return lock.held;
    },
    syncJobs: (batch) => jobs.sync(batch),
    getJob: (batch, profile, key) => jobs.get({ batch, profile, key }),
    listJobs: (batch, profile) => jobs.list(batch, profile),
    listUnfinishedJobs: (batch, profile) => jobs.listUnfinished(batch, profile),
    transition: (id, from, to, patch, event) => jobs.transition(id, from, to, patch, event),
    transitionMany: (moves) =>
      jobs.writeTogether(() => moves.map((m) => jobs.transition(m.id, m.from, m.to, m.patch, m.event))),
    update: (id, patch, event) => jobs.update(id, patch, event),
    recordEvent: (id, kind, detail) => jobs.recordEvent(id, kind, detail),
    listEvents: (batch, profile, key) => jobs.listEvents(batch, profile, key),
    batchTransaction: (fn) => jobs.writeTogether(fn),
    close() {
      if (!db.open) return;
      try {
        lock.release();
      } finally {
        db.close();
      }
    },
  };
}
