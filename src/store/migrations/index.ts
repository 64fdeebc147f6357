import { sql as initial } from "./000001-initial.js";
import { sql as batches } from "./000002-batches.js";
import { sql as spend } from "./000004-spend.js";

/**
 * Every schema change, in order. A state file's `PRAGMA user_version` is the
 * number of the last one applied to it. Append only: never edit or reorder.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: batches },
  // 3 is the uploads table (issue 13), merged in its own branch.
  { version: 4, sql: spend },
];

/** The number of the last migration (numbers are assigned per change, so one may be missing until its branch merges). */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
