import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { onTestFinished } from "vitest";
import { openStore, type SqliteStore, type StoreOptions } from "../../src/store/index.js";
import type { JobId } from "../../src/model/rows.js";

/** A fresh state file path in its own temp folder, removed when the test ends. */
export function tempStatePath(name = "state.sqlite"): string {
  const dir = mkdtempSync(join(tmpdir(), "shotlist-store-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, name);
}

/** openStore() that is closed when the test ends, so no test leaks a handle or a lock. */
export function openTestStore(path: string, options: StoreOptions = {}): SqliteStore {
  const store = openStore(path, options);
  onTestFinished(() => store.close());
  return store;
}

/** The id of makeJob(n) in makeBatch()'s batch. */
export function jobId(n: number, profile = ""): JobId {
  return { batch: "trailer", profile, key: `job-${n}` };
}

/** Works on the file with plain SQLite, as another program or an older run would have left it. */
export function withRawDatabase<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 10, 23, 9, 0, 0)): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}
