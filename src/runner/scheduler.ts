/**
 * The run loop: keeps every generation slot busy, polls all tasks in flight
 * from one loop, downloads beside, and commits every state change before it
 * acts on it. Decisions come from decide.ts and schedule.ts; this file only
 * carries them out.
 */
import { stat } from "node:fs/promises";
import { ApiError, backoffDelay, classifyTaskFailure, type ApiClient, type Task } from "../api/index.js";
import { DownloadError, createDownloadAgent, hashFile, resolveInside } from "../download/index.js";
import type { Batch } from "../manifest/job.js";
import type { Store } from "../store/index.js";
import type { ErrorClass, JobRow } from "../store/types.js";
import { decideAfterCreateError, decideAfterTaskFailure, decideOnResume, type CreateErrorKind, type ResumeOptions } from "./decide.js";
import type { RunnerEmitter } from "./emitter.js";
import { saveClip, type SavedClip } from "./save-clip.js";
import { adjustLimit, firstPollDelay, nextPollDelay } from "./schedule.js";
import type { JobState } from "./states.js";
import { KeyQueue, Timers, Wake } from "./loop-tools.js";

export interface RunnerConfig extends ResumeOptions {
  batch: Batch;
  /** Absolute path of the batch folder: clips are placed inside it. */
  root: string;
  /** Tasks in flight at the API (submitted, not finished). */
  concurrency: number;
  downloadConcurrency: number;
  pollIntervalMs: number;
  /** Tasks per job per run, counting retries of retry-later failures. */
  maxAttempts: number;
  /** A task that has not finished this long after its create fails. */
  taskTimeoutMs: number;
  /** How long a job keeps retrying transient errors (5xx, network) before it gives up. */
  retryWindowMs: number;
  /** Result URLs live this long (24 h at EvoLink). */
  urlLifetimeMs: number;
  /** Hash every done file on resume instead of trusting its size. */
  verify: boolean;
}

export interface RunnerDeps {
  store: Store;
  api: ApiClient;
  emitter: RunnerEmitter;
  /** Aborted on SIGINT/SIGTERM: stop submitting, let writes finish. */
  signal: AbortSignal;
  now?: () => number;
  random?: () => number;
}

export interface RunOutcome {
  jobs: JobRow[];
  interrupted: boolean;
  /** Why submitting stopped early for the whole run, if it did. */
  stoppedBy?: "auth" | "quota" | "rate_limited";
}

/** How long in-flight creates may take to be answered after an interrupt, so their task ids get recorded. */
const CREATE_GRACE_MS = 1_500;
const HEARTBEAT_MS = 5_000;
const BACKOFF = { baseMs: 1_000, capMs: 30_000 };
/** Extra reads of a task that says completed but lists no result, before it counts as failed. */
const EMPTY_COMPLETION_READS = 2;

export async function runBatch(config: RunnerConfig, deps: RunnerDeps): Promise<RunOutcome> {
  return new BatchRun(config, deps).execute();
}

class BatchRun {
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #rows = new Map<string, JobRow>();
  readonly #submitQueue = new KeyQueue();
  readonly #downloadQueue = new KeyQueue();
  readonly #timers = new Timers();
  /** Tasks in flight at the API, by job key: when each is next polled. */
  readonly #polls = new Map<string, { dueAt: number; busy: boolean }>();
  readonly #creating = new Set<string>();
  /**
   * Jobs whose create got no answer, to be sent again this run. Their task may
   * exist and be running, so each keeps its slot until it is resent; resends
   * wait in their own queue and go ahead of fresh creates.
   */
  readonly #unanswered = new Set<string>();
  /** Jobs one of whose creates got no answer, until an answer names their task: it may exist. */
  readonly #mayExist = new Set<string>();
  readonly #resendQueue = new KeyQueue();
  readonly #downloading = new Set<string>();
  readonly #tasksThisRun = new Map<string, number>();
  readonly #failingSince = new Map<string, number>();
  /** Consecutive transient failures per job, for the backoff's exponent. */
  readonly #failures = new Map<string, number>();
  readonly #refreshedUrl = new Set<string>();
  /** Reads of a completed task that came without a result URL, by job key. */
  readonly #emptyCompletions = new Map<string, number>();
  readonly #wake = new Wake();
  /** Answers (creates, polls, downloads) that came in since the loop last ran; see #handleAnswers. */
  readonly #answers: (() => void)[] = [];
  readonly #createAbort = new AbortController();
  /** One pool for every download of the run (a connect per clip cost ~0.25 ms of CPU); closed when the run ends. */
  readonly #downloadAgent = createDownloadAgent();
  #active = 0;
  #limit: number;
  #pauseUntil = 0;
  #lastHeartbeat = 0;
  #stoppedBy: "auth" | "quota" | "rate_limited" | undefined;

  constructor(
    private readonly config: RunnerConfig,
    private readonly deps: RunnerDeps,
  ) {
    this.#now = deps.now ?? Date.now;
    this.#random = deps.random ?? Math.random;
    this.#limit = config.concurrency;
  }

  get #batchId(): { batch: string; profile: string } {
    return { batch: this.config.batch.name, profile: this.config.batch.profile ?? "" };
  }

  get #stopping(): boolean {
    return this.deps.signal.aborted || this.#stoppedBy !== undefined;
  }

  async execute(): Promise<RunOutcome> {
    const { signal, emitter } = this.deps;
    const onAbort = (): void => {
      setTimeout(() => this.#createAbort.abort(signal.reason), CREATE_GRACE_MS).unref();
      this.#wake.notify();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await this.#resume();
      emitter.emit("run:start", {
        ...this.#batchId,
        total: this.#rows.size,
        alreadyDone: [...this.#rows.values()].filter((r) => r.state === "done").length,
        at_ms: this.#now(),
      });
      await this.#loop();
    } finally {
      signal.removeEventListener("abort", onAbort);
      await this.#downloadAgent.destroy();
    }
    const jobs = [...this.#rows.values()];
    emitter.emit("run:end", { jobs, interrupted: signal.aborted, at_ms: this.#now() });
    return { jobs, interrupted: signal.aborted, ...(this.#stoppedBy === undefined ? {} : { stoppedBy: this.#stoppedBy }) };
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#handleAnswers();
      const now = this.#now();
      this.#heartbeat(now);
      this.#releaseDueTimers(now);
      this.#startSubmits(now);
      this.#startPolls(now);
      this.#startDownloads();
      if (this.#active === 0 && !this.#hasWorkLeft()) return;
      await this.#wake.wait(this.#nextWakeDelay(now));
    }
  }

  #hasWorkLeft(): boolean {
    if (this.deps.signal.aborted) return false;
    const canSubmit = this.#stoppedBy === undefined && (this.#submitQueue.size > 0 || this.#resendQueue.size > 0 || this.#timers.has("submit") || this.#timers.has("resend"));
    const canPoll = this.#stoppedBy !== "auth" && this.#polls.size > 0;
    return canSubmit || canPoll || this.#downloadQueue.size > 0 || this.#timers.has("download");
  }

  #nextWakeDelay(now: number): number {
    let due = now + HEARTBEAT_MS;
    for (const poll of this.#polls.values()) if (!poll.busy) due = Math.min(due, poll.dueAt);
    due = Math.min(due, this.#timers.nextDue() ?? due);
    if (this.#pauseUntil > now) due = Math.min(due, this.#pauseUntil);
    return Math.max(0, due - now);
  }

  #heartbeat(now: number): void {
    if (now - this.#lastHeartbeat < HEARTBEAT_MS) return;
    this.#lastHeartbeat = now;
    this.deps.store.heartbeat();
  }

  #releaseDueTimers(now: number): void {
    for (const key of this.#timers.takeDue("submit", now)) this.#submitQueue.push(key);
    for (const key of this.#timers.takeDue("resend", now)) this.#resendQueue.push(key);
    for (const key of this.#timers.takeDue("download", now)) this.#downloadQueue.push(key);
  }

  // ---- bookkeeping -------------------------------------------------------

  #row(key: string): JobRow {
    const row = this.#rows.get(key);
    if (row === undefined) throw new Error(`job ${key} is not part of this run`);
    return row;
  }

  /** Commits a state change, then tells the world. */
  #move(key: string, to: JobState, patch: Partial<JobRow> = {}, reason?: string, detail?: unknown): JobRow {
    const from = this.#row(key).state;
    const row = this.deps.store.transition({ ...this.#batchId, key }, from, to, { ...patch, updated_at_ms: this.#now() }, { kind: reason ?? to, detail });
    this.#rows.set(key, row);
    this.deps.emitter.emit("job:state", { job: row, from, to, ...(reason === undefined ? {} : { reason }), at_ms: this.#now() });
    return row;
  }

  #update(key: string, patch: Partial<JobRow>, kind?: string, detail?: unknown): JobRow {
    const row = this.deps.store.update({ ...this.#batchId, key }, { ...patch, updated_at_ms: this.#now() }, kind === undefined ? undefined : { kind, detail });
    this.#rows.set(key, row);
    return row;
  }

  #notice(message: string, key?: string): void {
    this.deps.emitter.emit("run:notice", { message, ...(key === undefined ? {} : { key }), at_ms: this.#now() });
  }

  /**
   * Wraps an answer's handler so that it runs at the top of the next loop
   * turn, with every other answer of that turn, in one transaction: one
   * commit (one fsync) for the lot instead of one each. The returned promise
   * settles once the handler (and what it returned) has.
   */
  #later<A extends unknown[]>(handler: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
    return (...args) =>
      new Promise<void>((resolve, reject) => {
        this.#answers.push(() => {
          try {
            Promise.resolve(handler(...args)).then(resolve, reject);
          } catch (err) {
            reject(err);
          }
        });
        this.#wake.notify();
      });
  }

  /**
   * Runs the queued answers in one transaction. Each store write inside is a
   * savepoint, so a handler that throws undoes only its own writes (and is
   * reported like any other). Nothing acts on these writes before the commit:
   * handlers only queue work (a poll, a download, a resubmit), and the loop
   * starts that work after this returns. If the commit itself fails, the run
   * stops here as a crash would, and the next run resumes from the last commit.
   */
  #handleAnswers(): void {
    if (this.#answers.length === 0) return;
    const answers = this.#answers.splice(0);
    this.deps.store.batchTransaction(() => {
      for (const answer of answers) answer();
    });
  }

  #track(work: Promise<void>): void {
    this.#active++;
    work
      .catch((err: unknown) => this.#notice(`internal error: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.#active--;
        this.#wake.notify();
      });
  }

  /**
   * True while a job is inside its window for retrying transient errors.
   * `waitMs`: a wait the next try must make first (a Retry-After), counted as spent already.
   */
  #windowLeft(key: string, waitMs = 0): boolean {
    const since = this.#failingSince.get(key) ?? this.#now();
    this.#failingSince.set(key, since);
    return this.#now() + waitMs - since < this.config.retryWindowMs;
  }

  /** "gave up after 7 tries over 300 s (the retry window)", for a job whose retries ran out. */
  #gaveUpAfter(key: string, tries: number): string {
    const seconds = (this.#now() - (this.#failingSince.get(key) ?? this.#now())) / 1000;
    return `gave up after ${tries} tries over ${seconds >= 10 ? Math.round(seconds) : seconds.toFixed(1)} s (the retry window)`;
  }

  #backoff(failures: number): number {
    return backoffDelay(failures, { ...BACKOFF, random: this.#random });
  }

  #nextFailure(key: string): number {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    return n;
  }

  #succeeded(key: string): void {
    this.#failingSince.delete(key);
    this.#failures.delete(key);
  }

  // ---- resume ------------------------------------------------------------

  async #resume(): Promise<void> {
    const { store } = this.deps;
    store.syncJobs(this.config.batch);
    const wanted = new Set(this.config.batch.jobs.map((j) => j.key));
    for (const row of store.listJobs(this.#batchId.batch, this.#batchId.profile)) {
      if (wanted.has(row.key)) this.#rows.set(row.key, row);
    }
    // Manifest order, so a batch renders top to bottom.
    for (const job of this.config.batch.jobs) await this.#resumeJob(job.key);
  }

  async #resumeJob(key: string): Promise<void> {
    const row = this.#row(key);
    const action = decideOnResume(row, this.config);
    switch (action.kind) {
      case "submit":
        if (row.state === "unknown") this.#awaitResend(key);
        else this.#submitQueue.push(key);
        return;
      case "poll":
        this.#polls.set(key, { dueAt: this.#now(), busy: false });
        return;
      case "download":
        this.#downloadQueue.push(key);
        return;
      case "check-file":
        if (!(await this.#fileIntact(row))) {
          this.#move(key, "completed", {}, "file-missing-or-changed", { path: row.output_path });
          this.#downloadQueue.push(key);
        }
        return;
      case "mark-unknown":
        this.#move(key, "unknown", { error_class: "unknown", error_message: "the last run stopped after sending this create and before its answer: the task may exist" }, "crashed-while-submitting");
        if (this.config.resubmitUnknown) this.#awaitResend(key);
        return;
      case "requeue":
        this.#move(key, "queued", { error_class: null, error_code: null, error_message: null }, "retry-requested");
        this.#submitQueue.push(key);
        return;
      case "leave":
        return;
    }
  }

  async #fileIntact(row: JobRow): Promise<boolean> {
    if (row.output_path === null || row.bytes === null) return false;
    const path = resolveInside(this.config.root, row.output_path);
    try {
      const info = await stat(path);
      if (info.size !== row.bytes) return false;
      if (!this.config.verify) return true;
      return (await hashFile(path)).sha256 === row.sha256;
    } catch {
      return false;
    }
  }

  // ---- submit ------------------------------------------------------------

  /** Tasks that are, or may be, in flight at the API: being created, polled, or created with no answer back. */
  #inFlight(): number {
    return this.#creating.size + this.#polls.size + this.#unanswered.size;
  }

  /** Holds the job's slot until its create is sent again (now, or at `at`). */
  #awaitResend(key: string, at?: number): void {
    this.#mayExist.add(key);
    this.#unanswered.add(key);
    if (at === undefined) this.#resendQueue.push(key);
    else this.#timers.add("resend", key, at);
  }

  #startSubmits(now: number): void {
    // Every create intent of this turn commits (together, one fsync) before any of their POSTs is sent.
    const sends = this.deps.store.batchTransaction(() => {
      const ready: (() => void)[] = [];
      while (!this.#stopping && now >= this.#pauseUntil) {
        // A resend holds its slot already; a fresh create needs a free one.
        let key = this.#resendQueue.shift();
        if (key !== undefined) this.#unanswered.delete(key);
        else if (this.#inFlight() < this.#limit) key = this.#submitQueue.shift();
        if (key === undefined) break;
        ready.push(this.#submit(key));
      }
      return ready;
    });
    for (const send of sends) send();
  }

  /** Records the intent to create (in the caller's transaction); returns what sends the POST. */
  #submit(key: string): () => void {
    const before = this.#row(key);
    const idempotencyKey = `shotlist-${before.key}-${before.generation}`;
    const row = this.#move(key, "submitting", { attempts: before.attempts + 1 }, before.state === "unknown" ? "resubmit-unknown" : "submit", { idempotency_key: idempotencyKey });
    this.#creating.add(key);
    const request = JSON.parse(row.request_json) as Parameters<ApiClient["createTask"]>[0];
    return () =>
      this.#track(
        this.deps.api
          .createTask(request, { idempotencyKey, signal: this.#createAbort.signal })
          .then(
            this.#later((task: Task) => this.#onCreated(key, task)),
            this.#later((err: unknown) => this.#onCreateError(key, err)),
          )
          .finally(() => this.#creating.delete(key)),
      );
  }

  #onCreated(key: string, task: Task): void {
    const now = this.#now();
    // The task id is committed before anything else happens.
    const row = this.#move(
      key,
      "generating",
      {
        task_id: task.id,
        generation: this.#row(key).generation + 1,
        submitted_at_ms: now,
        credits_reserved: task.usage?.credits_reserved ?? null,
        progress: task.progress ?? 0,
        error_class: null,
        error_code: null,
        error_message: null,
      },
      "created",
      { task_id: task.id },
    );
    this.#mayExist.delete(key);
    this.#succeeded(key);
    this.#tasksThisRun.set(key, (this.#tasksThisRun.get(key) ?? 0) + 1);
    this.#limit = adjustLimit(this.#limit, this.config.concurrency, "accepted");
    this.#polls.set(row.key, { dueAt: now + firstPollDelay(task.task_info?.estimated_time, this.config.pollIntervalMs, this.#random), busy: false });
  }

  #onCreateError(key: string, err: unknown): void {
    const kind: CreateErrorKind = err instanceof ApiError ? err.kind : "ambiguous";
    const message = errorMessage(err);
    if (err instanceof ApiError && kind === "ambiguous" && err.taskId !== undefined) {
      // A 2xx that named its task but not a status we know: the task exists. Poll it; sending again would pay twice.
      this.#notice(`following task ${err.taskId} though its create answer was unreadable (${message})`, key);
      return this.#onCreated(key, { id: err.taskId, status: "pending" });
    }
    const retryAfter = err instanceof ApiError ? err.retryAfterMs : undefined;
    const decision = decideAfterCreateError(kind, {
      // A Retry-After that ends past the window (an hour, a day) is not worth waiting for.
      windowLeft: this.#windowLeft(key, kind === "rate_limited" ? (retryAfter ?? 0) : 0),
      resubmitUnknown: this.config.resubmitUnknown && !this.#stopping,
      // This create is still counted in #creating until its promise settles.
      othersInFlight: this.#inFlight() > 1,
    });
    const code = err instanceof ApiError ? (err.apiCode ?? null) : null;
    const failures = this.#nextFailure(key);
    // A retryable error that ends as a failure ran out of retries: say so, or it reads like a one-off.
    const gaveUp = (decision.to === "failed" && kind === "transient") || decision.stopRun === "rate_limited";
    const asked = retryAfter === undefined ? "" : ` (Retry-After ${Math.round(retryAfter / 1000)} s)`;
    const shown = gaveUp ? `${this.#gaveUpAfter(key, failures)}: ${message}${asked}` : message;
    // A 429 or 5xx to a resend says nothing about the earlier create that got no answer: its task may
    // still exist and run, so the job stays unknown (and keeps its slot) rather than become a fresh one.
    const to = decision.to === "queued" && this.#mayExist.has(key) ? "unknown" : decision.to;
    this.#move(key, to, { error_class: decision.errorClass, error_code: code, error_message: shown }, `create-${kind}`, { kind, code, status: err instanceof ApiError ? err.status : undefined });
    if (decision.slowDown) {
      this.#pauseUntil = Math.max(this.#pauseUntil, this.#now() + (retryAfter ?? this.#backoff(failures)));
      this.#limit = adjustLimit(this.#limit, this.config.concurrency, "rate_limited");
      this.#notice(`rate limited: pausing creates for ${Math.round((this.#pauseUntil - this.#now()) / 1000)} s, in-flight limit now ${this.#limit}`, key);
    }
    if (decision.stopRun !== undefined) this.#stop(decision.stopRun, message);
    if (!decision.retry) return;
    const at = decision.slowDown ? this.#pauseUntil : this.#now() + this.#backoff(failures);
    if (to === "unknown") this.#awaitResend(key, at);
    else this.#timers.add("submit", key, at);
  }

  #stop(reason: "auth" | "quota" | "rate_limited", message: string): void {
    if (this.#stoppedBy !== undefined) return;
    this.#stoppedBy = reason;
    const why = { auth: "the API refused the key", quota: "the account is out of credits", rate_limited: "the API refused every create for the retry window (429) with no task of this run in flight" }[reason];
    this.#notice(`${why}: no new tasks will be sent this run (${message})`);
  }

  // ---- poll --------------------------------------------------------------

  #startPolls(now: number): void {
    if (this.deps.signal.aborted || this.#stoppedBy === "auth") return;
    for (const [key, poll] of this.#polls) {
      if (poll.busy || poll.dueAt > now) continue;
      poll.busy = true;
      const taskId = this.#row(key).task_id;
      if (taskId === null) throw new Error(`job ${key} is generating without a task id`);
      this.#track(
        this.deps.api.getTask(taskId, { signal: this.deps.signal }).then(
          this.#later((task: Task) => this.#onPolled(key, task)),
          this.#later((err: unknown) => this.#onPollError(key, err)),
        ),
      );
    }
  }

  #pollAgainIn(key: string, delayMs: number): void {
    this.#polls.set(key, { dueAt: this.#now() + delayMs, busy: false });
  }

  #onPolled(key: string, task: Task): void {
    if (this.deps.signal.aborted) return;
    const asked = this.#row(key).task_id;
    if (task.id !== asked) {
      // Another task's answer (a confused proxy or cache): its result is not this job's clip.
      const message = `reading task ${asked} answered task ${JSON.stringify(task.id)} instead`;
      return this.#onPollError(key, new ApiError(message, { kind: "transient", apiCode: "invalid_answer" }));
    }
    this.#succeeded(key);
    const now = this.#now();
    switch (task.status) {
      case "pending":
      case "processing":
        return this.#stillGenerating(key, task, now);
      case "completed": {
        const url = resultUrlOf(task);
        if (url === undefined && (this.#emptyCompletions.get(key) ?? 0) < EMPTY_COMPLETION_READS) {
          // The results may lag the status: read it again before paying for a new render.
          this.#emptyCompletions.set(key, (this.#emptyCompletions.get(key) ?? 0) + 1);
          return this.#pollAgainIn(key, this.config.pollIntervalMs);
        }
        this.#polls.delete(key);
        this.#emptyCompletions.delete(key);
        if (url === undefined) {
          return this.#taskFailed(key, "unknown", "completed_without_results", `the API reported the task completed but sent no result URL (read ${EMPTY_COMPLETION_READS + 1} times)`);
        }
        this.#move(key, "completed", { result_url: url, result_expires_at_ms: now + this.config.urlLifetimeMs, finished_at_ms: now, progress: 100 }, "completed");
        this.#downloadQueue.push(key);
        return;
      }
      case "failed":
        this.#polls.delete(key);
        return this.#taskFailed(key, classifyTaskFailure(task.error?.code), task.error?.code ?? null, task.error?.message ?? "the task failed with no detail from the API");
      case "cancelled":
        this.#polls.delete(key);
        this.#move(key, "cancelled", { finished_at_ms: now }, "cancelled");
        return;
    }
  }

  #stillGenerating(key: string, task: Task, now: number): void {
    const row = this.#row(key);
    if (row.submitted_at_ms !== null && now - row.submitted_at_ms > this.config.taskTimeoutMs) {
      this.#polls.delete(key);
      this.deps.api.cancelTask(task.id).catch(() => undefined);
      this.#move(key, "failed", { error_class: "timeout", error_code: "task_timeout", error_message: `the task did not finish within ${Math.round(this.config.taskTimeoutMs / 1000)} s (--task-timeout)`, finished_at_ms: now }, "timeout");
      return;
    }
    const progress = task.progress ?? row.progress;
    if (progress !== row.progress) {
      const updated = this.#update(key, { progress });
      this.deps.emitter.emit("job:progress", { job: updated, progress, at_ms: now });
    }
    this.#pollAgainIn(key, nextPollDelay(this.config.pollIntervalMs, this.#random));
  }

  #taskFailed(key: string, errorClass: ErrorClass, code: string | null, message: string): void {
    const tasks = this.#tasksThisRun.get(key) ?? 0;
    const decision = decideAfterTaskFailure(errorClass, tasks, this.config.maxAttempts);
    // A retry-later failure that is final ran out of attempts: say so, or "try again later" reads like advice not yet taken.
    const spent = decision.to === "failed" && (errorClass === "transient" || errorClass === "unknown");
    const shown = spent ? `${tasks} task(s) failed this run, the most --max-attempts allows (${this.config.maxAttempts}): ${message}` : message;
    this.#move(key, decision.to, { error_class: errorClass, error_code: code, error_message: shown, finished_at_ms: this.#now() }, decision.to === "queued" ? "retry-as-new-task" : "failed", { code });
    if (decision.stopRun !== undefined) this.#stop(decision.stopRun, message);
    if (decision.to === "queued") this.#submitQueue.push(key);
  }

  #onPollError(key: string, err: unknown): void {
    if (this.deps.signal.aborted) return;
    const kind = err instanceof ApiError ? err.kind : "transient";
    if (kind === "auth") {
      this.#polls.delete(key);
      return this.#stop("auth", errorMessage(err));
    }
    if (kind === "invalid") {
      // The API no longer knows the task: render it again rather than wait forever.
      this.#polls.delete(key);
      return this.#taskFailed(key, "unknown", err instanceof ApiError ? (err.apiCode ?? null) : null, `reading the task failed: ${errorMessage(err)}`);
    }
    if (this.#windowLeft(key)) {
      const delay = kind === "rate_limited" && err instanceof ApiError && err.retryAfterMs !== undefined ? err.retryAfterMs : this.#backoff(this.#nextFailure(key));
      return this.#pollAgainIn(key, Math.max(delay, this.config.pollIntervalMs));
    }
    // Out of patience for this run; the task is still the API's, and the next run polls it again.
    this.#polls.delete(key);
    this.#update(key, { error_class: "transient", error_message: `could not read the task (${this.#gaveUpAfter(key, this.#nextFailure(key))}; the next run polls it again): ${errorMessage(err)}` }, "poll-gave-up");
    this.#notice(`gave up polling ${this.#row(key).shot_id} take ${this.#row(key).take} for this run: ${errorMessage(err)}`, key);
  }

  // ---- download ----------------------------------------------------------

  #startDownloads(): void {
    while (!this.deps.signal.aborted && this.#downloading.size < this.config.downloadConcurrency) {
      const key = this.#downloadQueue.shift();
      if (key === undefined) return;
      this.#download(key);
    }
  }

  #download(key: string): void {
    const row = this.#row(key);
    if (row.result_url === null) {
      this.#move(key, "expired", { error_class: "download", error_message: "no result URL was recorded for this task" }, "expired");
      return;
    }
    this.#downloading.add(key);
    this.#track(
      saveClip(this.config.root, row, row.result_url, this.deps.signal, this.#now, this.#downloadAgent)
        .then(
          this.#later((saved: SavedClip) => {
            if (saved.movedToHistory !== undefined) this.#notice(`kept the earlier version of ${row.shot_id} take ${row.take} at ${saved.movedToHistory}`, key);
            this.#succeeded(key);
            this.#move(key, "done", { output_path: saved.outputPath, bytes: saved.bytes, sha256: saved.sha256, done_at_ms: this.#now(), error_class: null, error_code: null, error_message: null }, "saved", { resumed_from: saved.resumedFrom });
          }),
          this.#later((err: unknown) => this.#onDownloadError(key, err)),
        )
        .finally(() => this.#downloading.delete(key)),
    );
  }

  async #onDownloadError(key: string, err: unknown): Promise<void> {
    if (this.deps.signal.aborted) return;
    const kind = err instanceof DownloadError ? err.kind : "transient";
    const message = errorMessage(err);
    switch (kind) {
      case "expired":
        return this.#refreshUrl(key, message);
      case "invalid":
        this.#move(key, "failed", { error_class: "download", error_message: message }, "download-invalid");
        return;
      case "disk":
        // The clip is still at the API while its URL lives: a rerun after freeing space saves it.
        this.#update(key, { error_class: "disk", error_message: message }, "download-disk-error");
        this.#notice(message, key);
        return;
      case "transient":
        if (this.#windowLeft(key)) {
          this.#timers.add("download", key, this.#now() + this.#backoff(this.#nextFailure(key)));
          return;
        }
        this.#update(key, { error_class: "download", error_message: `could not download the clip (${this.#gaveUpAfter(key, this.#nextFailure(key))}; the next run resumes it): ${message}` }, "download-gave-up");
        this.#notice(`could not download ${this.#row(key).shot_id} take ${this.#row(key).take} this run: ${message}`, key);
        return;
    }
  }

  /** A dead result URL: read the task again, since the API may hand out a fresh one. */
  async #refreshUrl(key: string, message: string): Promise<void> {
    const row = this.#row(key);
    if (this.#refreshedUrl.has(key) || row.task_id === null) {
      this.#move(key, "expired", { error_class: "download", error_message: `the result URL no longer works (${message}); run again with --rerender-expired to render it anew` }, "expired");
      return;
    }
    this.#refreshedUrl.add(key);
    try {
      const task = await this.deps.api.getTask(row.task_id, { signal: this.deps.signal });
      const url = resultUrlOf(task);
      if (task.id === row.task_id && task.status === "completed" && url !== undefined && url !== row.result_url) {
        this.#update(key, { result_url: url, result_expires_at_ms: this.#now() + this.config.urlLifetimeMs }, "url-refreshed");
      }
    } catch (err) {
      this.#notice(`could not refresh the result URL: ${errorMessage(err)}`, key);
    }
    this.#downloadQueue.push(key);
  }
}

/** The first result URL of a task; the API sends an array of them. */
function resultUrlOf(task: Task): string | undefined {
  return task.results?.find((u) => typeof u === "string");
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
