import type { Database } from "better-sqlite3";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations/index.js";
import { newerSchema } from "./messages.js";

/**
 * Brings the schema of `db` up to SCHEMA_VERSION. Each migration commits
 * together with its `user_version`, so a crash mid-way leaves the file at
 * the last complete version. IMMEDIATE, so two processes opening a fresh
 * file at once cannot both apply the same migration.
 */
export function migrate(db: Database, file: string): void {
  const apply = db.transaction(() => {
    // Read again inside the write lock: another process may have migrated meanwhile.
    const current = db.pragma("user_version", { simple: true }) as number;
    if (current > SCHEMA_VERSION) throw newerSchema(file, current, SCHEMA_VERSION);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    }
  });
  if ((db.pragma("user_version", { simple: true }) as number) < SCHEMA_VERSION) apply.immediate();
}
