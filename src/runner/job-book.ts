/**
 * The job book: the run's copy of every job row and the one way the stages
 * (resume, submits, polls, downloads) change them. A change is applied to the
 * copy at once and queued; flush() commits the queue as one group through
 * the store port, and only then tells the world (job:state events). The loop
 * flushes before it starts any side effect, so nothing acts on a write that
 * is not on disk: a create intent commits before its POST, a task id before
 * its first poll.
 */
import type { Batch } from "../manifest/job.js";
import { canTransition, type EventKind, type JobRow, type JobState } from "../model/index.js";
import type { JobChange, Store } from "../store/index.js";
import type { RunnerEventMap } from "./events.js";
import type { RunnerDeps } from "./runner-config.js";

interface Pending {
  change: JobChange;
  /** The row before this change, to undo it. */
  before: JobRow;
  /** Told once the change is committed. */
  told?: RunnerEventMap["job:state"];
}

/** A task the API created whose id is not yet committed to its job's row. */
export interface TaskInHand {
  key: string;
  shot_id: string;
  take: number;
  task_id: string;
}

export class JobBook {
  readonly now: () => number;
  readonly batchId: { batch: string; profile: string };
  readonly #store: Store;
  readonly #emitter: RunnerDeps["emitter"];
  readonly #rows = new Map<string, JobRow>();
  #pending: Pending[] = [];
  /** Task ids received, by job key, until a commit puts them on the row. */
  readonly #inHand = new Map<string, string>();

  constructor(batchId: { batch: string; profile: string }, deps: Pick<RunnerDeps, "store" | "emitter" | "now">) {
    this.now = deps.now ?? Date.now;
    this.batchId = batchId;
    this.#store = deps.store;
    this.#emitter = deps.emitter;
  }

  /** Brings the store up to date with the manifest's jobs, then reads the rows of this run's. */
  async load(batch: Batch): Promise<void> {
    await this.#store.syncJobs(batch);
    const wanted = new Set(batch.jobs.map((j) => j.key));
    for (const row of await this.#store.listJobs(this.batchId.batch, this.batchId.profile)) {
      if (wanted.has(row.key)) this.#rows.set(row.key, row);
    }
  }

  jobs(): JobRow[] {
    return [...this.#rows.values()];
  }

  row(key: string): JobRow {
    const row = this.#rows.get(key);
    if (row === undefined) throw new Error(`job ${key} is not part of this run`);
    return row;
  }

  /** Moves a job to `to` in the book and queues the move; it is told once flush() commits it. */
  move(key: string, to: JobState, patch: Partial<JobRow>, reason: EventKind, detail?: unknown): JobRow {
    const before = this.row(key);
    const from = before.state;
    if (!canTransition(from, to)) throw new Error(`job ${key}: moving from ${from} to ${to} is not a legal transition`);
    const at = this.now();
    const stamped = { ...patch, updated_at_ms: at };
    const row: JobRow = { ...before, ...stamped, state: to };
    this.#rows.set(key, row);
    this.#pending.push({
      change: { id: { ...this.batchId, key }, move: { from, to }, patch: stamped, event: { kind: reason, detail } },
      before,
      told: { job: row, from, to, reason, at_ms: at },
    });
    return row;
  }

  /** A change that is not a move (progress, the error of a retry); an event only if `kind` is given. */
  update(key: string, patch: Partial<JobRow>, kind?: EventKind, detail?: unknown): JobRow {
    const before = this.row(key);
    const stamped = { ...patch, updated_at_ms: this.now() };
    const row: JobRow = { ...before, ...stamped };
    this.#rows.set(key, row);
    this.#pending.push({ change: { id: { ...this.batchId, key }, patch: stamped, ...(kind === undefined ? {} : { event: { kind, detail } }) }, before });
    return row;
  }

  notice(message: string, key?: string): void {
    this.#emitter.emit("run:notice", { message, ...(key === undefined ? {} : { key }), at_ms: this.now() });
  }

  /** Whether the API can be reached: a change of it, stamped with the book's clock. */
  reachability<K extends "api:unreachable" | "api:reachable">(name: K, payload: Omit<RunnerEventMap[K], "at_ms">): void {
    this.#emitter.emit(name, { ...payload, at_ms: this.now() } as RunnerEventMap[K]);
  }

  /** Notes a task id the API just gave for the job: reported if the run ends before a commit records it. */
  received(key: string, taskId: string): void {
    this.#inHand.set(key, taskId);
  }

  /** Where the queue stands, for undoTo(). */
  mark(): number {
    return this.#pending.length;
  }

  /** Undoes the changes queued since `mark`, latest first, so each row is as it was. */
  undoTo(mark: number): void {
    for (const pending of this.#pending.splice(mark).reverse()) this.#rows.set(pending.change.id.key, pending.before);
  }

  /**
   * Commits every queued change as one group, then tells each move. If the
   * commit fails, the group stays queued, ahead of what comes next, and the
   * error is thrown: the caller waits and tries again (a full disk) or ends
   * the run. The task ids in it stay in hand until a commit records them.
   */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) return;
    const group = this.#pending;
    this.#pending = [];
    try {
      await this.#store.commit(group.map((p) => p.change));
    } catch (err) {
      this.#pending = [...group, ...this.#pending];
      throw err;
    }
    for (const [key, taskId] of this.#inHand) if (this.#rows.get(key)?.task_id === taskId) this.#inHand.delete(key);
    for (const pending of group) if (pending.told !== undefined) this.#emitter.emit("job:state", pending.told);
  }

  /** Changes made but not committed yet. */
  get uncommitted(): number {
    return this.#pending.length;
  }

  /** Task ids the API gave that no commit has recorded: what a run that ends now must not lose. */
  tasksInHand(): TaskInHand[] {
    return [...this.#inHand].map(([key, task_id]) => {
      const { shot_id, take } = this.row(key);
      return { key, shot_id, take, task_id };
    });
  }
}
