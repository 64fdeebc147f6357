import { sql as initial } from "./000001-initial.js";
import { sql as batches } from "./000002-batches.js";
import { sql as uploads } from "./000003-uploads.js";

/**
 * Every schema change, in order. A state file's `PRAGMA user_version` is the
 * number of the last one applied to it. Append only: never edit or reorder.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: batches },
  { version: 3, sql: uploads },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
