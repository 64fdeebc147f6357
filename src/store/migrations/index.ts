import { sql as initial } from "./000001-initial.js";
import { sql as batches } from "./000002-batches.js";
import { sql as uploads } from "./000003-uploads.js";
import { sql as deliveries } from "./000005-deliveries.js";
import { sql as spend } from "./000004-spend.js";

/**
 * Every schema change, in order. A state file's `PRAGMA user_version` is the
 * number of the last one applied to it. Append only: never edit or reorder.
 * Numbers are assigned per change and may leave gaps (3 and 4 belong to other stages).
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  { version: 1, sql: initial },
  { version: 2, sql: batches },
  { version: 3, sql: uploads },
  { version: 4, sql: spend },
  { version: 5, sql: deliveries },
];

export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
