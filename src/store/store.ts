import type { Batch } from "../manifest/job.js";
import type { DeliveryRow, EventRow, JobId, JobRow } from "../model/index.js";
import { DeliveryTable } from "./deliveries.js";
import { JobTable } from "./jobs.js";
import { DEFAULT_LOCK_STALE_MS, StateLock } from "./lock.js";
import { storeError } from "./messages.js";
import { BUSY_TIMEOUT_MS, openDatabase } from "./open-database.js";
import { BatchTable } from "./batches.js";
import { SpendTable } from "./spend.js";
import type { BatchSource, JobChange, RunSource, Store, UploadRow } from "./port.js";
import { UploadTable } from "./uploads.js";

export interface StoreOptions {
  /** Clock for every *_ms the store writes. @default Date.now */
  now?: () => number;
  /** A lock with no heartbeat for this long may be taken over. @default 30_000 */
  lockStaleMs?: number;
}

/**
 * The Store port over one SQLite file in WAL mode, synchronous FULL. Every
 * method is synchronous and commits before it returns, so what the runner was
 * told is what a crash leaves on disk. Readers (status, report) open it
 * without taking the lease.
 */
export interface SqliteStore extends Store {
  readonly lease: StateLock;
  syncJobs(batch: Batch): { added: number; existing: number };
  listJobs(batch: string, profile: string): JobRow[];
  getJob(id: JobId): JobRow | undefined;
  listProfiles(batch: string): string[];
  listEvents(batch: string, profile: string, key?: string): EventRow[];
  recordRun(source: RunSource): BatchSource | undefined;
  beginSpendRun(batch: string, profile: string): { started_at_ms: number; resumed: boolean };
  endSpendRun(batch: string, profile: string): void;
  commit(changes: readonly JobChange[]): void;
  listDeliveries(batch: string, profile: string): DeliveryRow[];
  saveDelivery(row: Omit<DeliveryRow, "updated_at_ms">): void;
  recordUpload(upload: Omit<UploadRow, "deleted_at_ms">): void;
  listUploads(): UploadRow[];
  markUploadDeleted(fileId: string, atMs: number): boolean;
  close(): void;
}

export function openStore(path: string, options: StoreOptions = {}): SqliteStore {
  const now = options.now ?? Date.now;
  const db = openDatabase(path);
  const lease = new StateLock(db, path, now, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS);
  const jobs = new JobTable(db, now);
  const batches = new BatchTable(db, now);
  const deliveries = new DeliveryTable(db, now);
  const spend = new SpendTable(db, now);
  const uploads = new UploadTable(db);
  /** SQLite's errors become the store's own (a full disk is `disk`), so none reaches a user raw. */
  const guarded = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw storeError(path, err, BUSY_TIMEOUT_MS);
    }
  };
  return {
    path,
    lease,
    syncJobs: (batch) => guarded(() => jobs.sync(batch)),
    listJobs: (batch, profile) => guarded(() => jobs.list(batch, profile)),
    getJob: (id) => guarded(() => jobs.get(id)),
    listProfiles: (batch) => guarded(() => jobs.profiles(batch)),
    listEvents: (batch, profile, key) => guarded(() => jobs.listEvents(batch, profile, key)),
    recordRun: (source) => guarded(() => batches.recordRun(source)),
    beginSpendRun: (batch, profile) => guarded(() => spend.begin(batch, profile)),
    endSpendRun: (batch, profile) => guarded(() => spend.end(batch, profile)),
    commit: (changes) => guarded(() => jobs.commit(changes)),
    listDeliveries: (batch, profile) => guarded(() => deliveries.list(batch, profile)),
    saveDelivery: (row) => guarded(() => deliveries.save(row)),
    recordUpload: (upload) => guarded(() => uploads.record(upload)),
    listUploads: () => guarded(() => uploads.list()),
    markUploadDeleted: (fileId, atMs) => guarded(() => uploads.markDeleted(fileId, atMs)),
    close() {
      if (!db.open) return;
      try {
        lease.release();
      } catch {
        // A full disk cannot take the lock's delete; the lock is freed anyway once this process is gone.
      } finally {
        db.close();
      }
    },
  };
}
