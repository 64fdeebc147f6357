/**
 * The submit stage: keeps the generation slots busy. A slot is a task that
 * is, or may be, in flight at the API: being created, followed by the polls,
 * or created with no answer back. Every create intent commits before its
 * POST is sent, and the task id commits the moment the answer is read.
 */
import { ApiError, type ApiClient, type Task } from "../api/index.js";
import { decideAfterCreateError, type CreateErrorKind } from "./decide.js";
import { errorMessage, type JobBook } from "./job-book.js";
import { KeyQueue, Timers } from "./loop-tools.js";
import type { Polls } from "./polls.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import { adjustLimit } from "./schedule.js";

/** How long in-flight creates may take to be answered after an interrupt, so their task ids get recorded. */
const CREATE_GRACE_MS = 1_500;

export class Submits {
  readonly #timers = new Timers();
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
  readonly #createAbort = new AbortController();
  #limit: number;
  #pauseUntil = 0;

  constructor(
    private readonly book: JobBook,
    private readonly config: Pick<RunnerConfig, "concurrency" | "resubmitUnknown">,
    private readonly deps: Pick<RunnerDeps, "api" | "signal">,
    private readonly polls: Pick<Polls, "size" | "follow">,
    /** Jobs waiting for a fresh create (resends wait in their own queue). */
    private readonly toCreate: KeyQueue,
  ) {
    this.#limit = config.concurrency;
  }

  get #stopping(): boolean {
    return this.deps.signal.aborted || this.book.stoppedBy !== undefined;
  }

  /** On an interrupt: creates in flight get CREATE_GRACE_MS to be answered, then are aborted. */
  interrupt(reason: unknown): void {
    setTimeout(() => this.#createAbort.abort(reason), CREATE_GRACE_MS).unref();
  }

  hasWork(): boolean {
    return this.book.stoppedBy === undefined && (this.toCreate.size > 0 || this.#resendQueue.size > 0 || this.#timers.has("submit") || this.#timers.has("resend"));
  }

  /** When a create waiting out a backoff or a rate-limit pause is next due, if any. */
  nextDue(now: number): number | undefined {
    const due = this.#timers.nextDue();
    if (this.#pauseUntil <= now) return due;
    return due === undefined ? this.#pauseUntil : Math.min(due, this.#pauseUntil);
  }

  /** Tasks that are, or may be, in flight at the API: being created, polled, or created with no answer back. */
  #inFlight(): number {
    return this.#creating.size + this.polls.size + this.#unanswered.size;
  }

  /** Holds the job's slot until its create is sent again (now, or at `at`). */
  awaitResend(key: string, at?: number): void {
    this.#mayExist.add(key);
    this.#unanswered.add(key);
    if (at === undefined) this.#resendQueue.push(key);
    else this.#timers.add("resend", key, at);
  }

  start(now: number): void {
    for (const key of this.#timers.takeDue("submit", now)) this.toCreate.push(key);
    for (const key of this.#timers.takeDue("resend", now)) this.#resendQueue.push(key);
    // Every create intent of this turn commits (together, one fsync) before any of their POSTs is sent.
    const sends = this.book.transaction(() => {
      const ready: (() => void)[] = [];
      while (!this.#stopping && now >= this.#pauseUntil) {
        // A resend holds its slot already; a fresh create needs a free one.
        let key = this.#resendQueue.shift();
        if (key !== undefined) this.#unanswered.delete(key);
        else if (this.#inFlight() < this.#limit) key = this.toCreate.shift();
        if (key === undefined) break;
        ready.push(this.#submit(key));
      }
      return ready;
    });
    for (const send of sends) send();
  }

  /** Records the intent to create (in the caller's transaction); returns what sends the POST. */
  #submit(key: string): () => void {
    const { book } = this;
    const before = book.row(key);
    const idempotencyKey = `shotlist-${before.key}-${before.generation}`;
    const row = book.move(key, "submitting", { attempts: before.attempts + 1 }, before.state === "unknown" ? "resubmit-unknown" : "submit", { idempotency_key: idempotencyKey });
    this.#creating.add(key);
    const request = JSON.parse(row.request_json) as Parameters<ApiClient["createTask"]>[0];
    return () =>
      book.track(
        this.deps.api
          .createTask(request, { idempotencyKey, signal: this.#createAbort.signal })
          .then(
            book.later((task: Task) => this.#onCreated(key, task)),
            book.later((err: unknown) => this.#onCreateError(key, err)),
          )
          .finally(() => this.#creating.delete(key)),
      );
  }

  #onCreated(key: string, task: Task): void {
    const { book } = this;
    const now = book.now();
    // The task id is committed before anything else happens.
    book.move(
      key,
      "generating",
      {
        task_id: task.id,
        generation: book.row(key).generation + 1,
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
    book.succeeded(key);
    this.#limit = adjustLimit(this.#limit, this.config.concurrency, "accepted");
    this.polls.follow(key, task, now);
  }

  #onCreateError(key: string, err: unknown): void {
    const { book } = this;
    const kind: CreateErrorKind = err instanceof ApiError ? err.kind : "ambiguous";
    const message = errorMessage(err);
    if (err instanceof ApiError && kind === "ambiguous" && err.taskId !== undefined) {
      // A 2xx that named its task but not a status we know: the task exists. Poll it; sending again would pay twice.
      book.notice(`following task ${err.taskId} though its create answer was unreadable (${message})`, key);
      return this.#onCreated(key, { id: err.taskId, status: "pending" });
    }
    const retryAfter = err instanceof ApiError ? err.retryAfterMs : undefined;
    const decision = decideAfterCreateError(kind, {
      // A Retry-After that ends past the window (an hour, a day) is not worth waiting for.
      windowLeft: book.windowLeft(key, kind === "rate_limited" ? (retryAfter ?? 0) : 0),
      resubmitUnknown: this.config.resubmitUnknown && !this.#stopping,
      // This create is still counted in #creating until its promise settles.
      othersInFlight: this.#inFlight() > 1,
    });
    const code = err instanceof ApiError ? (err.apiCode ?? null) : null;
    const failures = book.nextFailure(key);
    // A retryable error that ends as a failure ran out of retries: say so, or it reads like a one-off.
    const gaveUp = (decision.to === "failed" && kind === "transient") || decision.stopRun === "rate_limited";
    const asked = retryAfter === undefined ? "" : ` (Retry-After ${Math.round(retryAfter / 1000)} s)`;
    const shown = gaveUp ? `${book.gaveUpAfter(key, failures)}: ${message}${asked}` : message;
    // A 429 or 5xx to a resend says nothing about the earlier create that got no answer: its task may
    // still exist and run, so the job stays unknown (and keeps its slot) rather than become a fresh one.
    const to = decision.to === "queued" && this.#mayExist.has(key) ? "unknown" : decision.to;
    book.move(key, to, { error_class: decision.errorClass, error_code: code, error_message: shown }, `create-${kind}`, { kind, code, status: err instanceof ApiError ? err.status : undefined });
    if (decision.slowDown) {
      this.#pauseUntil = Math.max(this.#pauseUntil, book.now() + (retryAfter ?? book.backoff(failures)));
      this.#limit = adjustLimit(this.#limit, this.config.concurrency, "rate_limited");
      book.notice(`rate limited: pausing creates for ${Math.round((this.#pauseUntil - book.now()) / 1000)} s, in-flight limit now ${this.#limit}`, key);
    }
    if (decision.stopRun !== undefined) book.stop(decision.stopRun, message);
    if (!decision.retry) return;
    const at = decision.slowDown ? this.#pauseUntil : book.now() + book.backoff(failures);
    if (to === "unknown") this.awaitResend(key, at);
    else this.#timers.add("submit", key, at);
  }
}
