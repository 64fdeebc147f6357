/** The state store's public face: the port the runner writes through, and its SQLite implementation. */
export type { Store, StoreReader, StoreLease, JobChange, Awaitable, BatchSource, RunSource, UploadRow } from "./port.js";
export { openStore, type SqliteStore, type StoreOptions } from "./store.js";
export { DEFAULT_LOCK_STALE_MS } from "./lock.js";
export { SCHEMA_VERSION } from "./migrations/index.js";
