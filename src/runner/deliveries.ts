/**
 * The delivery stage: after a clip is saved in the batch folder (the first
 * place it goes, and what `done` means), it is uploaded to the object store
 * (ClipMirror), up to --deliver-concurrency clips at once. Its progress is
 * the deliveries table, written before and after each upload: a run killed
 * between the local save and the upload, or during it, resumes only the
 * upload (telling the mirror to abort what an open multipart upload left),
 * and a delivered clip is never sent again (with --verify, its object is
 * looked at once: a HEAD). The store's retries (5xx, network) are the SDK's;
 * a clip that still could not be delivered is named at the end of the run.
 */
import type { ClipMirror, LocalClip } from "../deliver/index.js";
import type { DeliveryRow, JobRow } from "../model/index.js";
import type { Store } from "../store/index.js";
import { KeyQueue } from "./loop-tools.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig } from "./runner-config.js";

/** A done job whose clip is not in the object store at the end of the run. */
export interface Undelivered {
  shot_id: string;
  take: number;
  key: string;
  message: string;
}

const DEFAULT_DELIVER_CONCURRENCY = 4;

export class Deliveries {
  readonly #queue = new KeyQueue();
  readonly #sending = new Set<string>();
  /** This target's rows, by job key, as last written. */
  readonly #rows = new Map<string, DeliveryRow>();
  readonly #failed = new Map<string, Undelivered>();

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "deliverConcurrency" | "verify">,
    private readonly deps: { store: Pick<Store, "listDeliveries" | "saveDelivery">; mirror: ClipMirror },
  ) {}

  /** Reads what earlier runs delivered to this target. */
  async load(): Promise<void> {
    const { batch, profile } = this.run.book.batchId;
    for (const row of await this.deps.store.listDeliveries(batch, profile)) if (row.target === this.deps.mirror.target) this.#rows.set(row.key, row);
  }

  /** Queues a done job: its clip goes to the store unless it is there already. */
  push(key: string): void {
    const job = this.run.book.row(key);
    if (!this.config.verify && this.#deliveredAlready(job)) return;
    this.#queue.push(key);
  }

  hasWork(): boolean {
    return this.#queue.size > 0;
  }

  start(): void {
    while (!this.run.signal.aborted && this.#sending.size < (this.config.deliverConcurrency ?? DEFAULT_DELIVER_CONCURRENCY)) {
      const key = this.#queue.shift();
      if (key === undefined) return;
      this.#sending.add(key);
      this.run.answers.track(this.#deliver(key).finally(() => this.#sending.delete(key)));
    }
  }

  /** The done jobs whose clips this run could not deliver. */
  undelivered(): Undelivered[] {
    return [...this.#failed.values()];
  }

  #deliveredAlready(job: JobRow): boolean {
    const row = this.#rows.get(job.key);
    return (
      row?.state === "delivered" && row.sha256 === job.sha256 && job.output_path !== null && row.object_key === this.deps.mirror.objectKeyOf(job.output_path)
    );
  }

  async #deliver(key: string): Promise<void> {
    const { book } = this.run;
    const job = book.row(key);
    if (job.state !== "done" || job.output_path === null || job.bytes === null || job.sha256 === null) return;
    const clip: LocalClip = { job, outputPath: job.output_path, bytes: job.bytes, sha256: job.sha256 };
    const before = this.#rows.get(key);
    if (this.#deliveredAlready(job) && (await this.deps.mirror.check(clip).catch(() => false))) return;
    const started = await this.#save(job, {
      state: "uploading",
      object_key: this.deps.mirror.objectKeyOf(clip.outputPath),
      sha256: clip.sha256,
      checksum: null,
      etag: null,
      attempts: (before?.attempts ?? 0) + 1,
      error_message: null,
      started_at_ms: book.now(),
      delivered_at_ms: null,
    });
    try {
      const sent = await this.deps.mirror.send(clip, { afterAttempt: before !== undefined && before.state !== "delivered" }, this.run.signal);
      if (sent.movedToHistory !== undefined) book.notice(`kept the earlier version of ${job.shot_id} take ${job.take} at ${sent.movedToHistory}`, key);
      await this.#save(job, {
        ...started,
        state: "delivered",
        object_key: sent.objectKey,
        checksum: sent.checksum,
        etag: sent.etag,
        delivered_at_ms: book.now(),
      });
      this.#failed.delete(key);
    } catch (err) {
      // An interrupted upload stays `uploading`: the next run takes it up from there.
      if (this.run.signal.aborted) return;
      const message = errorMessage(err);
      await this.#save(job, { ...started, state: "failed", error_message: message });
      this.#failed.set(key, { shot_id: job.shot_id, take: job.take, key, message });
      book.notice(`could not deliver ${job.shot_id} take ${job.take} to ${this.deps.mirror.target}: ${message}`, key);
    }
  }

  async #save(job: JobRow, fields: Omit<DeliveryRow, "batch" | "profile" | "key" | "target" | "updated_at_ms">): Promise<Omit<DeliveryRow, "updated_at_ms">> {
    const row = { batch: job.batch, profile: job.profile, key: job.key, target: this.deps.mirror.target, ...fields };
    await this.deps.store.saveDelivery(row);
    this.#rows.set(job.key, { ...row, updated_at_ms: this.run.book.now() });
    return row;
  }
}
