/** The state store's public face: what the runner, status and report import. */
export { openStore, type Store, type StoreOptions, type Move } from "./store.js";
export { DEFAULT_LOCK_STALE_MS } from "./lock.js";
export { SCHEMA_VERSION } from "./migrations/index.js";
export type { JobRow, EventRow, ErrorClass, JobId, EventInput } from "../model/rows.js";
