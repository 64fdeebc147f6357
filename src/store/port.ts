/**
 * What a run needs of its state store, as a port: the SQLite file implements
 * it synchronously today, and a store over the network (PostgreSQL, for
 * several workers) can implement it asynchronously, since every caller awaits.
 * test/store/conformance.ts is the behaviour any implementation must show.
 */
import type { Batch } from "../manifest/job.js";
import type { DeliveryRow, EventInput, EventRow, JobId, JobRow, JobState } from "../model/index.js";

export type Awaitable<T> = T | Promise<T>;

/**
 * One change to one job. With `move`, a guarded state move: it applies only
 * if the row is in `move.from`, and `move.from -> move.to` must be legal.
 * Without, a patch of columns that are not the state (progress, an error).
 * `event` is appended to the job's history in the same commit; a move always
 * appends one (kind "transition" when not given).
 */
export interface JobChange {
  id: JobId;
  move?: { from: JobState; to: JobState };
  patch: Partial<JobRow>;
  event?: EventInput;
}

/** Which manifest ran a batch: one row of the `batches` table per manifest (and profile). */
export interface BatchSource {
  batch: string;
  /** The --profile used, "" for none. */
  profile: string;
  /** The manifest's real path (symlinks and relative parts resolved): what tells two manifests apart. */
  manifest_resolved: string;
  /** Its path as given on the command line the last time, for messages. */
  manifest_path: string;
  /** The first and the latest run of the batch from this manifest, epoch ms. */
  first_run_at_ms: number;
  last_run_at_ms: number;
}

/** One file uploaded to the files service: a row of the `uploads` table. */
export interface UploadRow {
  file_id: string;
  /** sha256 (hex) of the bytes uploaded. */
  sha256: string;
  bytes: number;
  content_type: string;
  /** The URL the service answered, sent in place of the file's path. */
  file_url: string;
  expires_at_ms: number;
  uploaded_at_ms: number;
  /** When it was deleted at the service; null while it may be live. */
  deleted_at_ms: number | null;
}

/** What a run says of where it comes from. */
export type RunSource = Pick<BatchSource, "batch" | "profile" | "manifest_resolved" | "manifest_path">;

/** Reads that need no lock and never write: status, report, review. */
export interface StoreReader {
  readonly path: string;
  /** All jobs of a batch and profile ("" for none), by shot id, take and key. */
  listJobs(batch: string, profile: string): Awaitable<JobRow[]>;
  getJob(id: JobId): Awaitable<JobRow | undefined>;
  /** The profiles ("" for none) the batch has jobs under, for figures by profile. */
  listProfiles(batch: string): Awaitable<string[]>;
  /** The history of a batch, or of one job in it, in the order it happened. */
  listEvents(batch: string, profile: string, key?: string): Awaitable<EventRow[]>;
  /** Where each job's clip stands in object storage, one row per job and target, by key and target. */
  listDeliveries(batch: string, profile: string): Awaitable<DeliveryRow[]>;
}

/**
 * The right to write a state file: one runner at a time, since two would
 * submit the same jobs and pay twice. Once acquired, the lease keeps itself
 * alive (its own timer) until released, so a long stretch without loop turns
 * (a --verify resume hashing every clip) cannot let another runner take over.
 */
export interface StoreLease {
  /** Throws ShotlistError("state_locked") while another live runner holds it. */
  acquire(): Awaitable<void>;
  /** Throws ShotlistError("state_locked") if another runner took the lease over since: stop writing. */
  check(): void;
  release(): Awaitable<void>;
  readonly held: boolean;
}

export interface Store extends StoreReader {
  readonly lease: StoreLease;
  /** Adds a `queued` row (and a "created" event) for every job key not yet recorded, in one commit. */
  syncJobs(batch: Batch): Awaitable<{ added: number; existing: number }>;
  /**
   * Records, at the start of a run, that the batch is run from this manifest
   * (its first and latest run), and returns where the batch's previous run
   * came from, whichever manifest that was; undefined for its first run. The
   * caller warns when that was another manifest: two manifests with the same
   * name on one folder replace each other's clips.
   */
  recordRun(source: RunSource): Awaitable<BatchSource | undefined>;
  /** The spend run a credit cap counts in (migration 000004-spend): the batch's open one, or one started now. */
  beginSpendRun(batch: string, profile: string): Awaitable<{ started_at_ms: number; resumed: boolean }>;
  /** Closes the batch's open spend run: the run finished its work. */
  endSpendRun(batch: string, profile: string): Awaitable<void>;
  /**
   * Commits every change, with their events, atomically: all of them, or
   * none (then it throws, and the store is as it was). A move whose row is
   * not in its `from` state fails the whole group with ShotlistError("internal").
   */
  commit(changes: readonly JobChange[]): Awaitable<void>;
  /**
   * Writes a job's delivery row whole, in a commit of its own (before and
   * after each upload), stamping updated_at_ms. The job's row must exist.
   */
  saveDelivery(row: Omit<DeliveryRow, "updated_at_ms">): Awaitable<void>;
  /** Records an upload the moment the service's answer is read (committed before it returns). */
  recordUpload(upload: Omit<UploadRow, "deleted_at_ms">): Awaitable<void>;
  /** Uploads not deleted (live, or expired at the service), oldest first. */
  listUploads(): Awaitable<UploadRow[]>;
  /** Marks an upload deleted at the service; false when no undeleted upload has that id. */
  markUploadDeleted(fileId: string, atMs: number): Awaitable<boolean>;
  /** Releases the lease if held and closes the store. Safe to call twice. */
  close(): Awaitable<void>;
}
