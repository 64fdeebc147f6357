/**
 * The upload stage: before any create, every local file the run's unfinished
 * jobs name is put on EvoLink's files service, once per state file (by its
 * sha256), and its `file_url` replaces the path at send time (`step`). Each
 * upload is recorded the moment its answer is read, so a crash after it never
 * uploads that file again; one in flight when the process dies is redone.
 *
 * A live upload is reused (other runs, takes, shots, profiles) while it
 * outlives the margin a task may still need it for (the retry window and the
 * task timeout); one expiring sooner is deleted and uploaded again. The
 * account's file quota is read first and never exceeded: jobs whose files do
 * not fit wait (queued) until uploads no unfinished job needs are deleted,
 * after the jobs that had room (`afterLoop`), or until a later run.
 * 401/403 ends the run before any create (an auth ApiError, exit 3).
 */
import pLimit from "p-limit";
import { ApiError, backoffDelay, type CreateRequest, type FilesClient, type UploadedFile } from "../api/index.js";
import { ShotlistError } from "../errors.js";
import { sizeText } from "../manifest/file-limits.js";
import { hashWithHead, type LocalFile } from "../manifest/local-files.js";
import type { Job } from "../manifest/job.js";
import { FINAL_STATES, type JobRow } from "../model/index.js";
import type { UploadRow } from "../store/index.js";
import type { KeyQueue } from "./loop-tools.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import type { RequestStep } from "./send-request.js";
import { counted } from "../text.js";

/** Uploads on the wire at once. */
const UPLOAD_CONCURRENCY = 4;
const MEDIA_FIELDS = ["image_urls", "video_urls", "audio_urls"] as const;

type UploadsConfig = Pick<RunnerConfig, "batch" | "taskTimeoutMs" | "retryWindowMs" | "keepUploads">;

export class Uploads {
  readonly #files: ReadonlyMap<string, LocalFile>;
  readonly #jobs: ReadonlyMap<string, Job>;
  /** The file_url each file (by sha256) is sent as, once uploaded or found alive. */
  readonly #urls = new Map<string, string>();
  /** Jobs held back because a file of theirs is not uploaded (the quota, or the service refused it). */
  readonly #held = new Set<string>();

  constructor(
    private readonly run: RunParts,
    private readonly config: UploadsConfig,
    private readonly deps: Pick<RunnerDeps, "store" | "files">,
  ) {
    this.#files = config.batch.localFiles ?? new Map();
    this.#jobs = new Map(config.batch.jobs.map((job) => [job.key, job]));
  }

  /** The send-time step: each local path of the job becomes its upload's file_url. */
  readonly step: RequestStep = (request, row) => {
    if (this.#files.size === 0) return request;
    // The manifest's job of this key names the files where they are now (a moved file keeps its key).
    const current = this.#jobs.get(row.key)?.request ?? request;
    const sent: CreateRequest = { ...request };
    for (const field of MEDIA_FIELDS) {
      const list = current[field];
      if (list !== undefined) sent[field] = list.map((value) => this.#urlOf(value, row));
    }
    return sent;
  };

  #urlOf(value: string, row: JobRow): string {
    const file = this.#files.get(value);
    if (file === undefined) return value;
    const url = this.#urls.get(file.sha256);
    if (url === undefined) throw new ShotlistError("internal", `shot ${row.shot_id} take ${row.take} names ${file.path}, which was not uploaded`);
    return url;
  }

  /**
   * Uploads what the unfinished jobs need, before the first create, and takes
   * the jobs whose files could not all be uploaded out of `toCreate`.
   */
  async prepare(rows: readonly JobRow[], toCreate: KeyQueue): Promise<void> {
    const needed = this.#needed(rows);
    if (needed.size === 0) return;
    const files = this.#client();
    const now = this.run.book.now();
    const live = await this.#sortLive(needed, now);
    const missing = [...needed.values()].filter((file) => !live.has(file.sha256));
    const room = missing.length === 0 ? 0 : await this.#room(files);
    const fits = missing.slice(0, Math.max(0, room));
    const refused = await this.#uploadAll(fits);
    const waiting = missing.slice(fits.length);
    this.#holdBack(rows, toCreate);
    const uploaded = fits.length - refused;
    if (uploaded > 0 || live.size > 0) {
      const bytes = fits.reduce((sum, f) => sum + f.bytes, 0);
      this.run.book.notice(`local files: ${uploaded} uploaded (${sizeText(bytes)}), ${live.size} still alive from before`);
    }
    if (waiting.length > 0) {
      this.run.book.notice(
        `the files quota is full: room for ${counted(Math.max(0, room), "more upload")} at EvoLink, ${counted(waiting.length, "local file")} ${waiting.length === 1 ? "waits" : "wait"} for room, ` +
          `so ${counted(this.#held.size, "job")} ${this.#held.size === 1 ? "is" : "are"} not sent until uploads no unfinished job needs are deleted (or files are deleted at the service)`,
      );
    }
  }

  /**
   * After the loop ran out of work: deletes the uploads no unfinished job
   * needs (unless --keep-uploads), then, if jobs were held back for the
   * quota, uploads their files into the room made and queues them. True when
   * it queued any: the loop runs again.
   */
  async afterLoop(rows: readonly JobRow[], toCreate: KeyQueue): Promise<boolean> {
    if (this.deps.files === undefined || this.run.signal.aborted) return false;
    if (!this.config.keepUploads) await this.#deleteUnneeded(rows);
    if (this.#held.size === 0 || this.config.keepUploads) return false;
    const before = this.#held.size;
    const waiting = rows.filter((row) => this.#held.has(row.key));
    this.#held.clear();
    await this.prepare(waiting, toCreate);
    for (const row of waiting) if (!this.#held.has(row.key)) toCreate.push(row.key);
    return this.#held.size < before;
  }

  /** The files the unfinished jobs among `rows` name, by sha256. */
  #needed(rows: readonly JobRow[]): Map<string, LocalFile> {
    const needed = new Map<string, LocalFile>();
    if (this.#files.size === 0) return needed;
    for (const row of rows) for (const file of this.#filesOf(row)) if (!FINAL_STATES.has(row.state)) needed.set(file.sha256, file);
    return needed;
  }

  #filesOf(row: JobRow): LocalFile[] {
    const request = this.#jobs.get(row.key)?.request;
    if (request === undefined) return [];
    return MEDIA_FIELDS.flatMap((field) => request[field] ?? []).flatMap((value) => {
      const file = this.#files.get(value);
      return file === undefined ? [] : [file];
    });
  }

  /**
   * The needed files already alive for long enough, by sha256 (their URLs
   * noted). Uploads past their expiry are marked gone; those expiring within
   * the margin are deleted, so their quota slot serves the new upload.
   */
  async #sortLive(needed: Map<string, LocalFile>, now: number): Promise<Set<string>> {
    const margin = this.config.taskTimeoutMs + this.config.retryWindowMs;
    const live = new Set<string>();
    for (const upload of await this.deps.store.listUploads()) {
      if (upload.expires_at_ms <= now) await this.deps.store.markUploadDeleted(upload.file_id, now);
      else if (!needed.has(upload.sha256)) continue;
      else if (upload.expires_at_ms > now + margin) {
        live.add(upload.sha256);
        this.#urls.set(upload.sha256, upload.file_url);
      } else await this.#delete(upload);
    }
    return live;
  }

  /** Uploads each file, a few at a time; returns how many the service refused. */
  async #uploadAll(files: readonly LocalFile[]): Promise<number> {
    const limit = pLimit(UPLOAD_CONCURRENCY);
    const results = await Promise.allSettled(files.map((file) => limit(() => this.#upload(file))));
    const auth = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && r.reason instanceof ApiError && r.reason.kind === "auth");
    if (auth !== undefined) throw auth.reason;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected" && !(r.reason instanceof UploadRefused));
    if (failed !== undefined) throw failed.reason;
    return results.filter((r) => r.status === "rejected").length;
  }

  /** Uploads the account still has room for; none when the quota cannot be read (said, and the run goes on). */
  async #room(files: FilesClient): Promise<number> {
    try {
      return (await this.#retrying(() => files.quota({ signal: this.run.signal }))).remainFiles;
    } catch (err) {
      if (!(err instanceof ApiError) || err.kind === "auth") throw err;
      this.run.book.notice(`could not read the files quota: ${err.message}; the jobs with local files are not sent this run`);
      return 0;
    }
  }

  /** One file, retried through 5xx and network errors; recorded the moment it is answered. */
  async #upload(file: LocalFile): Promise<void> {
    const files = this.#client();
    const { book } = this.run;
    const { sha256 } = await hashWithHead(file.path);
    if (sha256 !== file.sha256)
      throw new ShotlistError("invalid_manifest", `${file.path} changed since the manifest was loaded: run again to pick up its new content`);
    const name = file.path.split(/[\\/]/).pop() ?? "upload";
    let uploaded: UploadedFile;
    try {
      uploaded = await this.#retrying(() => files.upload({ path: file.path, name, contentType: file.format.contentType }, { signal: this.run.signal }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.kind === "auth") throw err;
      book.notice(`could not upload ${file.path}: ${err.message}; the jobs that use it are not sent this run`);
      throw new UploadRefused();
    }
    const row: Omit<UploadRow, "deleted_at_ms"> = {
      file_id: uploaded.fileId,
      sha256,
      bytes: file.bytes,
      content_type: file.format.contentType,
      file_url: uploaded.fileUrl,
      expires_at_ms: uploaded.expiresAtMs,
      uploaded_at_ms: book.now(),
    };
    await this.deps.store.recordUpload(row);
    this.#urls.set(sha256, uploaded.fileUrl);
  }

  /** The call, again with backoff after 5xx, 429 and network errors, for up to the retry window; anything else is thrown at once. */
  async #retrying<T>(call: () => Promise<T>): Promise<T> {
    const { book, signal, random } = this.run;
    const started = book.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const retryable = err instanceof ApiError && (err.kind === "transient" || err.kind === "rate_limited");
        if (!retryable || book.now() - started >= this.config.retryWindowMs || signal.aborted) throw err;
        await sleep(err.retryAfterMs ?? backoffDelay(attempt, { baseMs: 200, capMs: 30_000, random }), signal);
      }
    }
  }

  /** Takes out of `toCreate` every job one of whose files has no URL, and notes it held. */
  #holdBack(rows: readonly JobRow[], toCreate: KeyQueue): void {
    for (const row of rows) if (this.#filesOf(row).some((f) => !this.#urls.has(f.sha256))) this.#held.add(row.key);
    for (let n = toCreate.size; n > 0; n--) {
      const key = toCreate.shift();
      if (key !== undefined && !this.#held.has(key)) toCreate.push(key);
    }
  }

  /** Deletes the uploads no unfinished job of the run names. */
  async #deleteUnneeded(rows: readonly JobRow[]): Promise<void> {
    const needed = this.#needed(rows);
    for (const upload of await this.deps.store.listUploads()) {
      if (needed.has(upload.sha256)) continue;
      await this.#delete(upload);
      this.#urls.delete(upload.sha256);
    }
  }

  /** Deletes one upload at the service; gone already (404) counts as deleted, any other failure leaves it to a later run. */
  async #delete(upload: UploadRow): Promise<void> {
    const { book } = this.run;
    try {
      const files = this.#client();
      await this.#retrying(() => files.remove(upload.file_id, { signal: this.run.signal }));
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.apiCode === "404"))) {
        book.notice(`could not delete the upload ${upload.file_id}: ${errorMessage(err)}; a later run tries again`);
        return;
      }
    }
    await this.deps.store.markUploadDeleted(upload.file_id, book.now());
  }

  #client(): FilesClient {
    if (this.deps.files === undefined) throw new ShotlistError("internal", "the batch names local files but the run was given no files client");
    return this.deps.files;
  }
}

/** The service refused a file (not a network error): its jobs wait, the run goes on. */
class UploadRefused extends Error {}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
