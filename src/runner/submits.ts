/**
 * The submit stage: keeps the generation slots busy. A slot is a task that
 * is, or may be, in flight at the API: being created, followed by the polls,
 * or created with no answer back. Every create intent commits before its
 * POST is sent, and the task id commits the moment the answer is read.
 */
import { ApiError, type Task } from "../api/index.js";
import { createErrorKind, decideAfterCreateError, lostAnswerOf } from "./decide.js";
import { KeyQueue, Timers } from "./loop-tools.js";
import type { Polls } from "./polls.js";
import type { Reconcile } from "./reconcile.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import type { CreditCap } from "./budget.js";
import { adjustLimit } from "./schedule.js";
import { resolveRequest } from "./send-request.js";

/** How long in-flight creates may take to be answered after the run stops, so their task ids get recorded. */
const CREATE_GRACE_MS = 1_500;

export class Submits {
  readonly #timers = new Timers();
  readonly #creating = new Set<string>();
  /** When each create on the wire was sent: the window a lost answer's task was made in. */
  readonly #sentAt = new Map<string, number>();
  /** Every task id the API gave this run's creates. */
  readonly #given = new Set<string>();
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
  /** Since when creates are failing transiently (the API unreachable or failing): said once, not per retry. */
  #outageSince: number | undefined;

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "concurrency" | "resubmitUnknown" | "sendTime" | "retryWindowMs">,
    private readonly deps: Pick<RunnerDeps, "api">,
    private readonly polls: Pick<Polls, "size" | "follow">,
    /** Jobs waiting for a fresh create (resends wait in their own queue). */
    private readonly toCreate: KeyQueue,
    /** Where a create whose answer was lost is looked for before it is sent again. */
    private readonly reconcile: Pick<Reconcile, "listing" | "push" | "size">,
  ) {
    this.#limit = config.concurrency;
  }

  get #stopping(): boolean {
    return this.run.signal.aborted || this.run.stop.reason !== undefined;
  }

  /** When the run stops: creates in flight get CREATE_GRACE_MS to be answered, then are aborted. */
  interrupt(reason: unknown): void {
    setTimeout(() => this.#createAbort.abort(reason), CREATE_GRACE_MS).unref();
  }

  hasWork(): boolean {
    return (
      this.run.stop.reason === undefined && (this.toCreate.size > 0 || this.#resendQueue.size > 0 || this.#timers.has("submit") || this.#timers.has("resend"))
    );
  }

  /** When a create waiting out a backoff or a rate-limit pause is next due, if any. */
  nextDue(now: number): number | undefined {
    const due = this.#timers.nextDue();
    if (this.#pauseUntil <= now) return due;
    return due === undefined ? this.#pauseUntil : Math.min(due, this.#pauseUntil);
  }

  /** Tasks that are, or may be, in flight at the API: being created, polled, created with no answer back, or being looked for. */
  #inFlight(): number {
    return this.#creating.size + this.polls.size + this.#unanswered.size + this.reconcile.size;
  }

  /** Creates on the wire, by job key, with when each was sent. */
  openCreates(): ReadonlyMap<string, number> {
    return this.#sentAt;
  }

  tasksGiven(): ReadonlySet<string> {
    return this.#given;
  }

  /** The task of the job's lost create was found (reconcile.ts): it no longer may exist unseen. */
  taskNamed(key: string): void {
    this.#mayExist.delete(key);
  }

  /** Holds the job's slot until its create is sent again (now, or at `at`). */
  awaitResend(key: string, at?: number): void {
    this.#mayExist.add(key);
    this.#unanswered.add(key);
    if (at === undefined) this.#resendQueue.push(key);
    else this.#timers.add("resend", key, at);
  }

  /**
   * Queues the create intents that fit now (at most `budget`, the creates the
   * disk has room for) in the book and returns what sends each POST: the
   * loop commits the intents (together, one fsync) before it calls any of
   * them, and calls `cancel` instead when that commit fails. With a credit
   * cap, each create goes only when the cap admits it after those planned.
   */
  plan(now: number, budget: number, cap?: Pick<CreditCap, "admits">): { sends: (() => void)[]; cancel: () => void } {
    for (const key of this.#timers.takeDue("submit", now)) this.toCreate.push(key);
    for (const key of this.#timers.takeDue("resend", now)) this.#resendQueue.push(key);
    const sends: (() => void)[] = [];
    const fresh: string[] = [];
    const resent: string[] = [];
    while (!this.#stopping && now >= this.#pauseUntil && sends.length < budget) {
      // A resend holds its slot already; a fresh create needs a free one.
      const resend = this.#resendQueue.size > 0;
      const queue = resend ? this.#resendQueue : this.#inFlight() < this.#limit ? this.toCreate : undefined;
      const key = queue?.peek();
      if (queue === undefined || key === undefined || (cap !== undefined && cap.admits(key, [...fresh, ...resent]) !== "send")) break;
      queue.shift();
      if (resend) {
        this.#unanswered.delete(key);
        resent.push(key);
      } else fresh.push(key);
      sends.push(this.#submit(key));
    }
    const cancel = (): void => {
      for (const key of [...fresh, ...resent]) this.#creating.delete(key);
      for (const key of fresh) this.toCreate.push(key);
      for (const key of resent) this.awaitResend(key);
    };
    return { sends, cancel };
  }

  /** Tasks on their way at the API, counting creates being sent and those whose answer was lost. */
  get inFlight(): number {
    return this.#inFlight();
  }

  /** Records the intent to create in the book; returns what sends the POST. */
  #submit(key: string): () => void {
    const { book, answers } = this.run;
    const before = book.row(key);
    const idempotencyKey = `shotlist-${before.key}-${before.generation}`;
    const row = book.move(key, "submitting", { attempts: before.attempts + 1 }, before.state === "unknown" ? "resubmit-unknown" : "submit", {
      idempotency_key: idempotencyKey,
    });
    this.#creating.add(key);
    return () => {
      const { sendTime = [] } = this.config;
      this.#sentAt.set(key, book.now());
      // A throw while building or starting the request (a send-time step, a bad key) becomes a rejection like any other.
      const created = new Promise<Task>((resolve) =>
        resolve(this.deps.api.createTask(resolveRequest(row, sendTime), { idempotencyKey, signal: this.#createAbort.signal })),
      );
      answers.track(
        created
          .then(
            (task) => {
              // Noted before the handler runs: if the run ends before a commit records it, it is reported, never lost.
              book.received(key, task.id);
              this.#given.add(task.id);
              return answers.later(() => this.#onCreated(key, task))();
            },
            answers.later((err: unknown) => this.#onCreateError(key, err)),
          )
          .finally(() => {
            this.#creating.delete(key);
            this.#sentAt.delete(key);
          }),
      );
    };
  }

  #onCreated(key: string, task: Task): void {
    const { book, retries } = this.run;
    const now = book.now();
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
    retries.succeeded(key);
    if (this.#outageSince !== undefined) {
      book.reachability("api:reachable", { unreachable_ms: now - this.#outageSince });
      this.#outageSince = undefined;
    }
    this.#limit = adjustLimit(this.#limit, this.config.concurrency, "accepted");
    this.polls.follow(key, task, now);
  }

  #onCreateError(key: string, err: unknown): void {
    const { book, retries, stop } = this.run;
    const kind = createErrorKind(err, this.#createAbort.signal.aborted || this.run.signal.aborted);
    const message = errorMessage(err);
    if (err instanceof ApiError && kind === "ambiguous" && err.taskId !== undefined) {
      // A 2xx that named its task but not a status we know: the task exists. Poll it; sending again would pay twice.
      book.received(key, err.taskId);
      this.#given.add(err.taskId);
      book.notice(`following task ${err.taskId} though its create answer was unreadable (${message})`, key);
      return this.#onCreated(key, { id: err.taskId, status: "pending" });
    }
    const retryAfter = err instanceof ApiError ? err.retryAfterMs : undefined;
    const lost = err instanceof ApiError ? lostAnswerOf(err) : undefined;
    const decision = decideAfterCreateError(kind, {
      // A Retry-After that ends past the window (an hour, a day) is not worth waiting for.
      windowLeft: retries.windowLeft(key, kind === "rate_limited" ? (retryAfter ?? 0) : 0),
      resubmitUnknown: this.config.resubmitUnknown && !this.#stopping,
      // This create is still counted in #creating until its promise settles.
      othersInFlight: this.#inFlight() > 1,
      mayExist: this.#mayExist.has(key),
      ...(lost === undefined ? {} : { lost }),
      // A run winding down looks for nothing: its unknown jobs are the next run's.
      ...(this.run.signal.aborted ? {} : { listing: this.reconcile.listing }),
    });
    const code = err instanceof ApiError ? (err.apiCode ?? null) : null;
    const failures = retries.nextFailure(key);
    // A retryable error that ends as a failure ran out of retries: say so, or it reads like a one-off.
    const gaveUp = decision.stopRun === "unreachable" || decision.stopRun === "rate_limited";
    const asked = retryAfter === undefined ? "" : ` (Retry-After ${Math.round(retryAfter / 1000)} s)`;
    const shown = gaveUp ? `${retries.gaveUpAfter(key, failures)}: ${message}${asked}` : message;
    const { to } = decision;
    if (kind === "transient" && decision.retry && this.#outageSince === undefined) {
      this.#outageSince = book.now();
      book.reachability("api:unreachable", { message, retry_window_ms: this.config.retryWindowMs });
    }
    book.move(key, to, { error_class: decision.errorClass, error_code: code, error_message: shown }, `create-${kind}`, {
      kind,
      code,
      status: err instanceof ApiError ? err.status : undefined,
    });
    if (decision.endRun === true) this.run.answers.fail(err);
    if (decision.slowDown === true) {
      this.#pauseUntil = Math.max(this.#pauseUntil, book.now() + (retryAfter ?? retries.backoff(failures)));
      this.#limit = adjustLimit(this.#limit, this.config.concurrency, "rate_limited");
      book.notice(`rate limited: pausing creates for ${Math.round((this.#pauseUntil - book.now()) / 1000)} s, in-flight limit now ${this.#limit}`, key);
    }
    if (decision.stopRun !== undefined) stop.stop(decision.stopRun, message);
    if (decision.reconcile === true && lost !== undefined) this.reconcile.push(key, lost, { from_ms: this.#sentAt.get(key) ?? book.now(), to_ms: book.now() });
    if (!decision.retry) return;
    const at = decision.slowDown === true ? this.#pauseUntil : book.now() + retries.backoff(failures);
    if (to === "unknown") this.awaitResend(key, at);
    else this.#timers.add("submit", key, at);
  }
}
