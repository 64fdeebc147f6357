import type { TaskStatus } from "../api/types.js";
import type { FaultKind } from "./faults.js";
import type { Route } from "./options.js";

/**
 * What the simulator saw and did, for tests to assert on. Live in-process
 * (`sim.ledger`) and as JSON at `GET /__sim/ledger`. Times are epoch ms.
 */

export interface CreateRecord {
  at_ms: number;
  /** The task made, or null when none was (refused, or reset before). */
  taskId: string | null;
  /** The body as parsed (or the raw text when it was not JSON). */
  body: unknown;
  idempotencyKey: string | null;
  /** HTTP status answered; null when the connection was destroyed instead. */
  status: number | null;
  /** True when an Idempotency-Key replay returned an earlier task. */
  replayed: boolean;
  fault: FaultKind | null;
}

export interface PollRecord {
  at_ms: number;
  taskId: string;
  status: number | null;
  /** The task's status as answered, when it was. */
  taskStatus: TaskStatus | null;
  fault: FaultKind | null;
}

export interface CancelRecord {
  at_ms: number;
  taskId: string;
  status: number | null;
  fault: FaultKind | null;
}

export interface DownloadRecord {
  at_ms: number;
  taskId: string;
  status: number | null;
  ranged: boolean;
  /** Inclusive byte range served, when the answer was 206. */
  range: { start: number; end: number } | null;
  bytesSent: number;
  truncated: boolean;
  fault: FaultKind | null;
}

/** A read of many tasks: the task list (one page) or a batch read. */
export interface ListRecord {
  at_ms: number;
  route: "list" | "batch";
  /** The list's query string, or the ids a batch read asked for. */
  asked: string | string[];
  status: number | null;
  /** Tasks answered. */
  returned: number;
  fault: FaultKind | null;
}

/** One request to the files service, for tests to assert on. */
export interface UploadRecord {
  at_ms: number;
  route: "upload" | "quota" | "delete";
  /** The file made or deleted, when there was one. */
  fileId: string | null;
  /** sha256 of the uploaded file's bytes, when one was read. */
  sha256: string | null;
  status: number | null;
  /** The envelope's `success`, when an envelope was answered. */
  success: boolean | null;
}

export interface FaultRecord {
  at_ms: number;
  route: Route | "task" | "callback";
  kind: FaultKind;
  taskId: string | null;
}

/** A task reaching its final status: when it completed (or failed, or was cancelled), as the simulator's clock says. */
export interface FinishRecord {
  at_ms: number;
  taskId: string;
  taskStatus: TaskStatus;
}

export interface CallbackAttempt {
  at_ms: number;
  /** HTTP status the receiver answered, or null on a network error or timeout. */
  status: number | null;
  error: string | null;
}

export interface CallbackRecord {
  /** The task the body names: another account's for a callback_foreign. */
  taskId: string;
  url: string;
  taskStatus: TaskStatus;
  attempts: CallbackAttempt[];
  delivered: boolean;
  /** The callback fault that shaped this one, if any (a dropped callback has no attempts). */
  fault: FaultKind | null;
}

export class Ledger {
  readonly creates: CreateRecord[] = [];
  readonly polls: PollRecord[] = [];
  readonly cancels: CancelRecord[] = [];
  readonly downloads: DownloadRecord[] = [];
  readonly lists: ListRecord[] = [];
  readonly uploads: UploadRecord[] = [];
  readonly faults: FaultRecord[] = [];
  readonly callbacks: CallbackRecord[] = [];
  readonly finishes: FinishRecord[] = [];
  /** Tasks pending or processing now, per API key. */
  readonly inFlight: Record<string, number> = {};
  /** The most tasks ever in flight at once, per API key. */
  readonly maxInFlight: Record<string, number> = {};
  /** Credits held by pending/processing tasks, and charged for completed ones. */
  readonly credits = { reserved: 0, charged: 0 };
  // A private field, so the JSON at /__sim/ledger holds the records only.
  readonly #now: () => number;

  /** `now` stamps every record: the simulator's clock. */
  constructor(now: () => number) {
    this.#now = now;
  }

  // Private, so the JSON at /__sim/ledger stays the records alone.
  readonly #faultListeners = new Set<(fault: FaultRecord) => void>();

  fault(route: FaultRecord["route"], kind: FaultKind, taskId: string | null = null): FaultKind {
    const record: FaultRecord = { at_ms: this.#now(), route, kind, taskId };
    this.faults.push(record);
    for (const listener of this.#faultListeners) listener(record);
    return kind;
  }

  /** Calls `listener` with each fault from now on, as it is recorded, so a test can react to one instead of polling; returns the unsubscribe. */
  onFault(listener: (fault: FaultRecord) => void): () => void {
    this.#faultListeners.add(listener);
    return () => void this.#faultListeners.delete(listener);
  }

  taskStarted(key: string): void {
    const now = (this.inFlight[key] ?? 0) + 1;
    this.inFlight[key] = now;
    this.maxInFlight[key] = Math.max(now, this.maxInFlight[key] ?? 0);
  }

  taskEnded(key: string): void {
    this.inFlight[key] = (this.inFlight[key] ?? 1) - 1;
  }
}
