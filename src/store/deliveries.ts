import type { Database, Statement } from "better-sqlite3";
import type { DeliveryRow } from "../model/index.js";

type Params = Record<string, string | number | null>;

/** The `deliveries` table: one row per job and target, replaced as its upload moves on. */
export class DeliveryTable {
  readonly #now: () => number;
  readonly #list: Statement<[string, string], DeliveryRow>;
  readonly #save: Statement<Params>;

  constructor(db: Database, now: () => number) {
    this.#now = now;
    this.#list = db.prepare("SELECT * FROM deliveries WHERE batch = ? AND profile = ? ORDER BY key, target");
    this.#save = db.prepare(
      `INSERT INTO deliveries (batch, profile, key, target, state, object_key, sha256, checksum, etag, attempts, error_message, started_at_ms, delivered_at_ms, updated_at_ms)
       VALUES (@batch, @profile, @key, @target, @state, @object_key, @sha256, @checksum, @etag, @attempts, @error_message, @started_at_ms, @delivered_at_ms, @updated_at_ms)
       ON CONFLICT (batch, profile, key, target) DO UPDATE SET
         state = excluded.state, object_key = excluded.object_key, sha256 = excluded.sha256, checksum = excluded.checksum, etag = excluded.etag,
         attempts = excluded.attempts, error_message = excluded.error_message, started_at_ms = excluded.started_at_ms,
         delivered_at_ms = excluded.delivered_at_ms, updated_at_ms = excluded.updated_at_ms`,
    );
  }

  list(batch: string, profile: string): DeliveryRow[] {
    return this.#list.all(batch, profile);
  }

  /** Writes the row whole (its own commit); updated_at_ms is now. */
  save(row: Omit<DeliveryRow, "updated_at_ms">): void {
    this.#save.run({ ...row, updated_at_ms: this.#now() });
  }
}
