/**
 * The run loop: keeps every generation slot busy, polls all tasks in flight
 * from one loop, downloads beside, and commits every state change before it
 * acts on it. Decisions come from decide.ts and schedule.ts; the stages
 * (submits.ts, polls.ts, reconcile.ts, downloads.ts, after resume.ts) carry them out, each
 * writing through the one job book (job-book.ts). This file turns the loop.
 */
import { ShotlistError } from "../errors.js";
import type { JobRow } from "../model/index.js";
import { AnswerQueue } from "./answers.js";
import { Deliveries, type Undelivered } from "./deliveries.js";
import { CallbackHints, type CallbackCounts } from "./callback-hints.js";
import { CreditCap, type CapOutcome } from "./budget.js";
import { DiskGate } from "./disk-gate.js";
import { Downloads } from "./downloads.js";
import { JobBook, type TaskInHand } from "./job-book.js";
import { KeyQueue } from "./loop-tools.js";
import { Polls } from "./polls.js";
import { Reconcile } from "./reconcile.js";
import { writeRecoveryNote } from "./recovery.js";
import { resumeJobs } from "./resume.js";
import { RetryWindows } from "./retry-windows.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import { RunStop, type StopReason } from "./stop-reasons.js";
import { Submits } from "./submits.js";
import { Uploads } from "./uploads.js";
import { counted } from "../text.js";

export type { RunnerConfig, RunnerDeps } from "./runner-config.js";

export interface RunOutcome {
  jobs: JobRow[];
  interrupted: boolean;
  /** Why submitting stopped early for the whole run, if it did, and what was said then. */
  stoppedBy?: StopReason;
  stopDetail?: string;
  /** Done jobs whose clips could not be delivered to the object store this run (with a mirror). */
  undelivered?: Undelivered[];
  /** What became of the callbacks heard, when the run had a receiver. */
  callbacks?: CallbackCounts;
  /** With a credit cap: what the run counts as reserved, and what it left unsent. */
  cap?: CapOutcome;
}

/** The longest the loop sleeps with nothing due: it checks the lease at least this often. */
const IDLE_WAKE_MS = 5_000;

/** Tries of the last commit when the store refuses it for want of room. */
const FINAL_COMMIT_TRIES = 3;

/**
 * Runs the batch to its end. Resolves with the outcome; rejects with
 * ShotlistError("internal") when shotlist itself failed on the way (a bug, a
 * store that refused a write), after the tasks in flight were collected and
 * every task id it could not record was reported.
 */
export async function runBatch(config: RunnerConfig, deps: RunnerDeps): Promise<RunOutcome> {
  return new BatchRun(config, deps).execute();
}

class BatchRun {
  readonly #parts: RunParts;
  /** Aborted by an interrupt or by an internal error: the run winds down. */
  readonly #windDown = new AbortController();
  /** Jobs waiting for a fresh create: filled by resume and by polls (a failed task retried as a new one), emptied by submits. */
  readonly #toCreate = new KeyQueue();
  readonly #downloads: Downloads;
  readonly #deliveries: Deliveries | undefined;
  readonly #polls: Polls;
  readonly #submits: Submits;
  readonly #reconcile: Reconcile;
  readonly #gate: DiskGate;
  readonly #hints: CallbackHints | undefined;
  #cap: CreditCap | undefined;
  readonly #uploads: Uploads;

  constructor(
    private readonly config: RunnerConfig,
    private readonly deps: RunnerDeps,
  ) {
    const book = new JobBook({ batch: config.batch.name, profile: config.batch.profile ?? "" }, deps);
    const random = deps.random ?? Math.random;
    this.#parts = {
      book,
      answers: new AnswerQueue(book),
      retries: new RetryWindows(config.retryWindowMs, book.now, random),
      stop: new RunStop((message) => book.notice(message)),
      signal: this.#windDown.signal,
      random,
    };
    this.#deliveries = deps.mirror === undefined ? undefined : new Deliveries(this.#parts, config, { store: deps.store, mirror: deps.mirror });
    this.#downloads = new Downloads(this.#parts, config, deps, this.#deliveries);
    this.#polls = new Polls(this.#parts, config, deps, this.#downloads, this.#toCreate);
    const hints = deps.callbacks === undefined ? undefined : new CallbackHints(this.#parts, config, deps.callbacks.url, deps.callbacks.inbox, this.#polls);
    this.#hints = hints;
    const sendTime = [...(config.sendTime ?? []), ...(hints === undefined ? [] : [hints.step])];
    this.#reconcile = new Reconcile(this.#parts, config, deps, this.#polls, () => this.#submits);
    this.#uploads = new Uploads(this.#parts, config, deps);
    sendTime.push(this.#uploads.step);
    this.#submits = new Submits(this.#parts, { ...config, sendTime }, deps, this.#polls, this.#toCreate, this.#reconcile);
    this.#gate = new DiskGate(config.room, book, this.#parts.retries, this.#parts.stop, config.retryWindowMs, deps.emitter);
  }

  async execute(): Promise<RunOutcome> {
    const { signal, emitter } = this.deps;
    const { book, answers, stop } = this.#parts;
    const onAbort = (): void => this.#windDownFor(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    try {
      const spendRun = await this.deps.store.beginSpendRun(book.batchId.batch, book.batchId.profile);
      await resumeJobs(book, this.config, {
        toCreate: this.#toCreate,
        submits: this.#submits,
        polls: this.#polls,
        downloads: this.#downloads,
        clips: this.deps.clips,
      });
      if (this.config.maxCredits !== undefined) await this.#openCap(this.config.maxCredits, spendRun.started_at_ms);
      const resumed = book.jobs();
      await this.#deliveries?.load();
      for (const row of resumed) if (row.state === "done") this.#deliveries?.push(row.key);
      emitter.emit("run:start", {
        ...book.batchId,
        total: resumed.length,
        alreadyDone: resumed.filter((r) => r.state === "done").length,
        at_ms: book.now(),
      });
      await this.#uploads.prepare(book.jobs(), this.#toCreate);
      await this.#loop();
      while (await this.#uploads.afterLoop(book.jobs(), this.#toCreate)) await this.#loop();
      await this.#finalCommit();
      // Work finished: the next run is a spend run of its own. Stopped, interrupted or failed, the next run goes on with this one.
      if (!signal.aborted && stop.reason === undefined && answers.failure === undefined)
        await this.deps.store.endSpendRun(book.batchId.batch, book.batchId.profile);
    } catch (err) {
      answers.fail(err);
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.#hints?.close();
    }
    if (answers.failure !== undefined) throw await this.#failed(answers.failure);
    const jobs = book.jobs();
    const callbacks = this.#hints?.counts;
    if (callbacks !== undefined && callbacks.unknownTask > 0)
      book.notice(
        `ignored ${counted(callbacks.unknownTask, "callback")} for tasks this run was not following (another account's or run's, forged, or already collected)`,
      );
    emitter.emit("run:end", { jobs, interrupted: signal.aborted, at_ms: book.now() });
    return {
      jobs,
      interrupted: signal.aborted,
      ...(stop.reason === undefined ? {} : { stoppedBy: stop.reason, stopDetail: stop.detail ?? "" }),
      ...(this.#deliveries === undefined ? {} : { undelivered: this.#deliveries.undelivered() }),
      ...(callbacks === undefined ? {} : { callbacks: { ...callbacks } }),
      ...(this.#cap === undefined ? {} : { cap: this.#cap.outcome(jobs) }),
    };
  }

  /** The cap counts the spend run's history so far (resume's moves included), then every move committed from here on. */
  async #openCap(max: number, startedAtMs: number): Promise<void> {
    const { store, emitter } = this.deps;
    const { batch, profile } = this.#parts.book.batchId;
    const history = (await store.listEvents(batch, profile)).filter((event) => event.at_ms >= startedAtMs);
    const cap = new CreditCap(max, await store.listJobs(batch, profile), history, this.#parts.stop);
    emitter.on("job:state", ({ job, from, to, reason }) =>
      cap.fold({ key: job.key, from, to, kind: reason ?? "transition", taskId: job.task_id, credits: job.credits_reserved }),
    );
    this.#cap = cap;
  }

  async #loop(): Promise<void> {
    const { book, answers } = this.#parts;
    for (;;) {
      // This turn's answers commit (one group) before anything acts on them; then the create
      // intents commit (a second group) before any of their POSTs is sent.
      answers.handle();
      if (answers.failure !== undefined) this.#windDownFor(answers.failure);
      const now = book.now();
      if (await this.#commit(now)) {
        const planned = this.#submits.plan(now, this.#gate.budget(now, this.#submits.inFlight), this.#cap);
        if (planned.sends.length > 0) {
          const mark = book.mark();
          if (await this.#commit(now)) for (const send of planned.sends) send();
          else {
            book.undoTo(mark);
            planned.cancel();
          }
        }
      }
      this.#polls.start(now);
      this.#reconcile.start(now);
      this.#downloads.start(now);
      this.#deliveries?.start();
      if (answers.active === 0 && !this.#hasWorkLeft()) return;
      await answers.wake.wait(this.#nextWakeDelay(now));
    }
  }

  /**
   * Commits what the book holds. A store that refused for want of room
   * (a `disk` error) keeps the changes in the book, and the commit is tried
   * again with backoff while the run goes on; any other failure ends the run.
   * False while anything is left uncommitted.
   */
  async #commit(now: number): Promise<boolean> {
    const { book, answers } = this.#parts;
    try {
      this.deps.store.lease.check();
      if (book.uncommitted === 0) return true;
      if (!this.#gate.commitDue(now)) return false;
      const held = book.tasksInHand().length;
      await book.flush();
      this.#gate.commitSucceeded(now, held - book.tasksInHand().length);
      return true;
    } catch (err) {
      if (err instanceof ShotlistError && err.code === "disk") {
        this.#gate.commitFailed(now, err.message);
        await this.#noteTasksInHand();
      } else {
        answers.fail(err);
        this.#windDownFor(err);
      }
      return false;
    }
  }

  /** While commits fail, the task ids in hand are kept in the recovery note too, so a kill loses none. */
  async #noteTasksInHand(): Promise<void> {
    const { book } = this.#parts;
    const tasks = book.tasksInHand();
    if (tasks.length === 0) return;
    await writeRecoveryNote(this.config.recoveryPath, book.batchId, tasks).catch(() => undefined);
  }

  /** Stops starting work; creates in flight get a grace to be answered, everything else is let go. */
  #windDownFor(reason: unknown): void {
    if (this.#windDown.signal.aborted) return;
    this.#submits.interrupt(reason);
    this.#windDown.abort(reason);
    this.#parts.answers.wake.notify();
  }

  #hasWorkLeft(): boolean {
    if (this.#windDown.signal.aborted) return false;
    return this.#submits.hasWork() || this.#polls.hasWork() || this.#reconcile.hasWork() || this.#downloads.hasWork() || (this.#deliveries?.hasWork() ?? false);
  }

  /**
   * The run's last commit. Changes still held after a refused commit get a few
   * more tries; if the store still refuses, the run ends with the store's
   * error, and the task ids in hand go to the recovery note (see #failed).
   */
  async #finalCommit(): Promise<void> {
    const { book } = this.#parts;
    for (let attempt = 1; ; attempt++) {
      try {
        await book.flush();
        return;
      } catch (err) {
        if (!(err instanceof ShotlistError && err.code === "disk") || attempt >= FINAL_COMMIT_TRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, this.#parts.retries.backoff(attempt)));
      }
    }
  }

  #nextWakeDelay(now: number): number {
    let due = now + IDLE_WAKE_MS;
    for (const at of [this.#polls.nextDue(), this.#submits.nextDue(now), this.#reconcile.nextDue(), this.#downloads.nextDue(), this.#gate.nextDue()]) {
      if (at !== undefined) due = Math.min(due, at);
    }
    return Math.max(0, due - now);
  }

  /**
   * The error a failed run ends with. Task ids the API gave that no commit
   * recorded are the one thing it must not lose: they are added to the jobs'
   * histories if the store still takes writes, and always to the recovery
   * note the next run reads, and named in the message.
   */
  async #failed(failure: Error): Promise<ShotlistError> {
    const expected = failure instanceof ShotlistError && failure.code !== "internal";
    const code = expected ? failure.code : "internal";
    const what = expected ? failure.message : `the run stopped on an internal error: ${failure.message}`;
    const { book } = this.#parts;
    const unsaved = book.tasksInHand();
    if (unsaved.length === 0) return expected ? failure : new ShotlistError(code, what, { cause: failure });
    const savedTo: string[] = [];
    try {
      await this.deps.store.commit(
        unsaved.map((t) => ({
          id: { ...book.batchId, key: t.key },
          patch: {},
          event: { kind: "internal-error", detail: { task_id: t.task_id, error: failure.message } },
        })),
      );
      savedTo.push("the jobs' histories");
    } catch {
      // The store refuses writes: the note below is what the next run reads.
    }
    try {
      savedTo.push(await writeRecoveryNote(this.config.recoveryPath, book.batchId, unsaved));
    } catch (err) {
      savedTo.push(`nowhere else (the recovery note could not be written: ${errorMessage(err)})`);
    }
    const list = unsaved.map((t: TaskInHand) => `${t.shot_id}#${t.take} ${t.task_id}`).join(", ");
    return new ShotlistError(
      code,
      `${what}\ntasks created at the API whose ids could not be recorded: ${list}; written to ${savedTo.join(" and ")}. The next run follows them instead of creating them again.`,
      { cause: failure },
    );
  }
}
