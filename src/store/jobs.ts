import type { Database, Statement, Transaction } from "better-sqlite3";
import type { Batch } from "../manifest/job.js";
import { canTransition, type JobState } from "../model/states.js";
import { JOB_SELECT_LIST, patchColumns, rowOf } from "./columns.js";
import { illegalMove, noSuchJob, wrongState } from "./messages.js";
import type { EventKind, EventRow, JobId, JobRow } from "../model/rows.js";
import type { JobChange } from "./port.js";

type Params = Record<string, string | number | null>;

/**
 * The `jobs` and `events` tables. Every commit is one transaction that changes
 * the rows and appends their events together, so history and state never
 * disagree. All synchronous: no transaction ever spans an await.
 */
export class JobTable {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #insertJob: Statement<Params>;
  readonly #insertEvent: Statement<Params>;
  readonly #getJob: Statement<JobId, unknown[]>;
  readonly #listJobs: Statement<[string, string], unknown[]>;
  readonly #listEvents: Statement<[string, string], EventRow>;
  readonly #listProfiles: Statement<[string], { profile: string }>;
  readonly #listKeys: Statement<[string, string], string>;
  readonly #listJobEvents: Statement<JobId, EventRow>;
  /** UPDATE statements by the set of columns they write, prepared on first use. */
  readonly #updates = new Map<string, Statement<Params>>();
  /**
   * One transaction wrapper for every write, made once: db.transaction() builds
   * four wrapped functions per call, which a run making 40,000 writes felt.
   */
  readonly #inTransaction: Transaction<(fn: () => unknown) => unknown>;

  constructor(db: Database, now: () => number) {
    this.#db = db;
    this.#now = now;
    this.#inTransaction = db.transaction((fn: () => unknown) => fn());
    this.#insertJob = db.prepare(
      `INSERT INTO jobs (batch, profile, key, shot_id, take, mode, request_json, prompt_hash, state, created_at_ms, updated_at_ms)
       VALUES (@batch, @profile, @key, @shot_id, @take, @mode, @request_json, @prompt_hash, 'queued', @now, @now)
       ON CONFLICT DO NOTHING`,
    );
    this.#insertEvent = db.prepare(
      `INSERT INTO events (batch, profile, key, at_ms, from_state, to_state, kind, detail_json)
       VALUES (@batch, @profile, @key, @at_ms, @from_state, @to_state, @kind, @detail_json)`,
    );
    this.#getJob = db.prepare<JobId, unknown[]>(`SELECT ${JOB_SELECT_LIST} FROM jobs WHERE batch = @batch AND profile = @profile AND key = @key`).raw(true);
    this.#listJobs = db
      .prepare<[string, string], unknown[]>(`SELECT ${JOB_SELECT_LIST} FROM jobs WHERE batch = ? AND profile = ? ORDER BY shot_id, take, key`)
      .raw(true);
    this.#listEvents = db.prepare("SELECT * FROM events WHERE batch = ? AND profile = ? ORDER BY id");
    this.#listKeys = db.prepare<[string, string], string>("SELECT key FROM jobs WHERE batch = ? AND profile = ?").pluck(true);
    this.#listProfiles = db.prepare("SELECT DISTINCT profile FROM jobs WHERE batch = ? ORDER BY profile");
    this.#listJobEvents = db.prepare("SELECT * FROM events WHERE batch = @batch AND profile = @profile AND key = @key ORDER BY id");
  }

  /** Adds a `queued` row (and a "created" event) for each job not yet recorded; leaves known ones alone. */
  sync(batch: Batch): { added: number; existing: number } {
    const profile = batch.profile ?? "";
    return this.#writeTogether(() => {
      const at = this.#now();
      // A rerun finds every job known: one read of the keys spares an insert (and the request's JSON) per job.
      const known = new Set(this.#listKeys.all(batch.name, profile));
      let added = 0;
      for (const job of batch.jobs) {
        if (known.has(job.key)) continue;
        const id = { batch: batch.name, profile, key: job.key };
        const inserted = this.#insertJob.run({
          ...id,
          shot_id: job.shotId,
          take: job.take,
          mode: job.mode,
          request_json: JSON.stringify(job.request),
          prompt_hash: job.promptHash,
          now: at,
        });
        if (inserted.changes === 0) continue;
        added++;
        this.#appendEvent(id, at, null, "queued", "created", undefined);
      }
      return { added, existing: batch.jobs.length - added };
    });
  }

  get(id: JobId): JobRow | undefined {
    const row = this.#getJob.get(id);
    return row === undefined ? undefined : rowOf(row);
  }

  profiles(batch: string): string[] {
    return this.#listProfiles.all(batch).map((row) => row.profile);
  }

  list(batch: string, profile: string): JobRow[] {
    return this.#listJobs.all(batch, profile).map(rowOf);
  }

  /** Applies every change, with its event, in one transaction: all commit or none. */
  commit(changes: readonly JobChange[]): void {
    this.#writeTogether(() => {
      for (const change of changes) this.#apply(change);
    });
  }

  #apply({ id, move, patch, event }: JobChange): void {
    if (move !== undefined && !canTransition(move.from, move.to)) throw illegalMove(id.key, move.from, move.to);
    const at = this.#updateRow(id, patch, move);
    if (move !== undefined || event !== undefined) {
      this.#appendEvent(id, at, move?.from ?? null, move?.to ?? null, event?.kind ?? (move === undefined ? "update" : "transition"), event?.detail);
    }
  }

  listEvents(batch: string, profile: string, key?: string): EventRow[] {
    return key === undefined ? this.#listEvents.all(batch, profile) : this.#listJobEvents.all({ batch, profile, key });
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (nested ones become savepoints):
   * several writes cost one fsync, and commit or roll back together.
   * IMMEDIATE takes the write lock up front, so a reader never has to be
   * upgraded mid-way (which fails at once in WAL mode instead of waiting).
   */
  #writeTogether<T>(fn: () => T): T {
    return this.#inTransaction.immediate(fn) as T;
  }

  /**
   * Applies `patch` (and the state move, if any) only if the row is where the
   * caller thinks it is; returns the time it stamped. `updated_at_ms` is now
   * unless the patch sets it. Nothing is read back: the caller holds the row.
   */
  #updateRow(id: JobId, patch: Partial<JobRow>, move?: { from: JobState; to: JobState }): number {
    const stamped: Partial<JobRow> = { updated_at_ms: this.#now(), ...patch };
    const columns = patchColumns(stamped);
    const params: Params = { batch: id.batch, profile: id.profile, key: id.key };
    for (const column of columns) params[`p_${column}`] = stamped[column] as string | number | null;
    if (move !== undefined) Object.assign(params, move);
    if (this.#updateStatement(columns, move !== undefined).run(params).changes === 1) return stamped.updated_at_ms as number;
    const current = this.get(id);
    if (current === undefined) throw noSuchJob(id.batch, id.profile, id.key);
    // Only a guarded move can miss an existing row: its state was not `from`.
    throw wrongState(id.key, move?.from ?? current.state, current.state);
  }

  #updateStatement(columns: readonly (keyof JobRow)[], guarded: boolean): Statement<Params> {
    const signature = `${guarded ? "move" : "patch"}:${columns.join(",")}`;
    let statement = this.#updates.get(signature);
    if (statement === undefined) {
      // Column names come from patchColumns(), checked against JobRow's; values are always bound.
      const sets = columns.map((c) => `${c} = @p_${c}`);
      if (guarded) sets.unshift("state = @to");
      const where = `batch = @batch AND profile = @profile AND key = @key${guarded ? " AND state = @from" : ""}`;
      statement = this.#db.prepare<Params>(`UPDATE jobs SET ${sets.join(", ")} WHERE ${where}`);
      this.#updates.set(signature, statement);
    }
    return statement;
  }

  #appendEvent(id: JobId, at: number, from: JobState | null, to: JobState | null, kind: EventKind, detail: unknown): void {
    this.#insertEvent.run({
      batch: id.batch,
      profile: id.profile,
      key: id.key,
      at_ms: at,
      from_state: from,
      to_state: to,
      kind,
      detail_json: detail === undefined ? null : JSON.stringify(detail),
    });
  }
}
