import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "./migrations/index.js";
import { migrate } from "./migrate.js";
import { cannotOpen, corrupt, newerSchema, notShotlist, storeError } from "./messages.js";

/** PRAGMA application_id of a shotlist state file ("SHOT"); set by migration 1. */
const APPLICATION_ID = 0x53484f54;

/** How long a statement waits for another connection's write before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (or creates) the state file, refuses one that is damaged, foreign or
 * from a newer shotlist, then sets the durability pragmas and migrates.
 *
 * Every check runs before the first write, so a refused file is left exactly
 * as it was: a state file records money spent, and is never reset silently.
 */
export function openDatabase(file: string): Database.Database {
  let db: Database.Database;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw cannotOpen(file, err);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    checkReadable(db, file);
    // WAL: readers (status, report) never block the runner's writes.
    const mode = db.pragma("journal_mode = WAL", { simple: true }) as string;
    if (mode !== "wal") throw cannotOpen(file, new Error(`journal_mode WAL refused (got ${mode})`));
    // FULL: a committed transition survives a power cut, not only a crash.
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    // A full disk refuses the pragmas and the migration too: a `disk` error, not SQLite's own.
    throw storeError(file, err, BUSY_TIMEOUT_MS);
  }
}

/** Read-only checks: is this a healthy shotlist state file this version can use? */
function checkReadable(db: Database.Database, file: string): void {
  const appId = db.pragma("application_id", { simple: true }) as number;
  const version = db.pragma("user_version", { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    // A brand-new file is empty; anything else without our id belongs to someone else.
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema").get() as { n: number };
    if (appId !== 0 || version !== 0 || tables.n > 0) throw notShotlist(file);
  }
  if (version > SCHEMA_VERSION) throw newerSchema(file, version, SCHEMA_VERSION);
  // quick_check reads every page but skips the costly index cross-checks.
  const problems = db.pragma("quick_check(1)", { simple: true }) as string;
  if (problems !== "ok") throw corrupt(file, `integrity check: ${problems.replace(/\s*\n\s*/g, " ")}`);
}
