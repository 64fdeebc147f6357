import type { Database, Statement, Transaction } from "better-sqlite3";
import type { BatchSource, RunSource } from "./port.js";

/** The `batches` table: which manifests ran each batch, and when. */
export class BatchTable {
  readonly #now: () => number;
  readonly #latest: Statement<[string, string], BatchSource>;
  readonly #record: Statement<RunSource & { at: number }>;
  readonly #recordRun: Transaction<(source: RunSource) => BatchSource | undefined>;

  constructor(db: Database, now: () => number) {
    this.#now = now;
    this.#latest = db.prepare("SELECT * FROM batches WHERE batch = ? AND profile = ? ORDER BY last_run_at_ms DESC LIMIT 1");
    this.#record = db.prepare(
      `INSERT INTO batches (batch, profile, manifest_resolved, manifest_path, first_run_at_ms, last_run_at_ms)
       VALUES (@batch, @profile, @manifest_resolved, @manifest_path, @at, @at)
       ON CONFLICT (batch, profile, manifest_resolved) DO UPDATE SET manifest_path = excluded.manifest_path, last_run_at_ms = excluded.last_run_at_ms`,
    );
    this.#recordRun = db.transaction((source: RunSource) => {
      const previous = this.#latest.get(source.batch, source.profile);
      this.#record.run({ ...source, at: this.#now() });
      return previous;
    });
  }

  /** Records the run's manifest and returns the batch's previous run's source, read in the same transaction. */
  recordRun(source: RunSource): BatchSource | undefined {
    return this.#recordRun.immediate(source);
  }
}
