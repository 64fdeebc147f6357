import type { Database, Statement, Transaction } from "better-sqlite3";

/** The `spend_runs` table (migration 000004): which run a credit cap counts in. */
export class SpendTable {
  readonly #now: () => number;
  readonly #open: Statement<[string, string], { started_at_ms: number }>;
  readonly #start: Statement<[string, string, number]>;
  readonly #end: Statement<[number, string, string]>;
  readonly #begin: Transaction<(batch: string, profile: string) => { started_at_ms: number; resumed: boolean }>;

  constructor(db: Database, now: () => number) {
    this.#now = now;
    this.#open = db.prepare("SELECT started_at_ms FROM spend_runs WHERE batch = ? AND profile = ? AND ended_at_ms IS NULL ORDER BY started_at_ms DESC LIMIT 1");
    this.#start = db.prepare("INSERT OR IGNORE INTO spend_runs (batch, profile, started_at_ms) VALUES (?, ?, ?)");
    this.#end = db.prepare("UPDATE spend_runs SET ended_at_ms = ? WHERE batch = ? AND profile = ? AND ended_at_ms IS NULL");
    this.#begin = db.transaction((batch: string, profile: string) => {
      const open = this.#open.get(batch, profile);
      if (open !== undefined) return { started_at_ms: open.started_at_ms, resumed: true };
      const started_at_ms = this.#now();
      this.#start.run(batch, profile, started_at_ms);
      return { started_at_ms, resumed: false };
    });
  }

  /** The batch's open spend run, or a new one from now. */
  begin(batch: string, profile: string): { started_at_ms: number; resumed: boolean } {
    return this.#begin.immediate(batch, profile);
  }

  end(batch: string, profile: string): void {
    this.#end.run(this.#now(), batch, profile);
  }
}
