/**
 * The job book: the run's copy of every job row and the one way the stages
 * (resume, submits, polls, downloads) change them. Every change commits
 * before it is told or acted on; the answers of a loop turn commit together.
 * It also keeps what the stages share about a job across them (its window
 * for retrying transient errors) and why the run stopped sending creates.
 */
import { backoffDelay } from "../api/index.js";
import type { Batch } from "../manifest/job.js";
import type { JobRow } from "../model/rows.js";
import { Wake } from "./loop-tools.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import type { EventKind, JobState } from "../model/index.js";

const BACKOFF = { baseMs: 1_000, capMs: 30_000 };

/** Why submitting stopped early for the whole run. */
export type StopReason = "auth" | "quota" | "rate_limited";

export class JobBook {
  readonly now: () => number;
  readonly random: () => number;
  readonly batchId: { batch: string; profile: string };
  /** The loop sleeps on this; every answer and every end of tracked work wakes it. */
  readonly wake = new Wake();
  readonly #store: RunnerDeps["store"];
  readonly #emitter: RunnerDeps["emitter"];
  readonly #retryWindowMs: number;
  readonly #rows = new Map<string, JobRow>();
  /** Answers (creates, polls, downloads) that came in since the loop last ran; see handleAnswers. */
  readonly #answers: (() => void)[] = [];
  readonly #failingSince = new Map<string, number>();
  /** Consecutive transient failures per job, for the backoff's exponent. */
  readonly #failures = new Map<string, number>();
  #active = 0;
  #stoppedBy: StopReason | undefined;

  constructor(config: Pick<RunnerConfig, "batch" | "retryWindowMs">, deps: Pick<RunnerDeps, "store" | "emitter" | "now" | "random">) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.batchId = { batch: config.batch.name, profile: config.batch.profile ?? "" };
    this.#store = deps.store;
    this.#emitter = deps.emitter;
    this.#retryWindowMs = config.retryWindowMs;
  }

  /** Brings the store up to date with the manifest, then reads the rows of this run's jobs. */
  load(batch: Batch): void {
    this.#store.syncJobs(batch);
    const wanted = new Set(batch.jobs.map((j) => j.key));
    for (const row of this.#store.listJobs(this.batchId.batch, this.batchId.profile)) {
      if (wanted.has(row.key)) this.#rows.set(row.key, row);
    }
  }

  jobs(): JobRow[] {
    return [...this.#rows.values()];
  }

  row(key: string): JobRow {
    const row = this.#rows.get(key);
    if (row === undefined) throw new Error(`job ${key} is not part of this run`);
    return row;
  }

  /** Commits a state change, then tells the world. */
  move(key: string, to: JobState, patch: Partial<JobRow>, reason: EventKind, detail?: unknown): JobRow {
    const from = this.row(key).state;
    const row = this.#store.transition({ ...this.batchId, key }, from, to, { ...patch, updated_at_ms: this.now() }, { kind: reason, detail });
    this.#rows.set(key, row);
    this.#emitter.emit("job:state", { job: row, from, to, reason, at_ms: this.now() });
    return row;
  }

  update(key: string, patch: Partial<JobRow>, kind?: EventKind, detail?: unknown): JobRow {
    const row = this.#store.update({ ...this.batchId, key }, { ...patch, updated_at_ms: this.now() }, kind === undefined ? undefined : { kind, detail });
    this.#rows.set(key, row);
    return row;
  }

  notice(message: string, key?: string): void {
    this.#emitter.emit("run:notice", { message, ...(key === undefined ? {} : { key }), at_ms: this.now() });
  }

  /** Runs `fn` in one transaction: one commit (one fsync) for every write inside. */
  transaction<T>(fn: () => T): T {
    return this.#store.batchTransaction(fn);
  }

  // ---- answers and tracked work ------------------------------------------

  /**
   * Wraps an answer's handler so that it runs at the top of the next loop
   * turn, with every other answer of that turn, in one transaction: one
   * commit (one fsync) for the lot instead of one each. The returned promise
   * settles once the handler (and what it returned) has.
   */
  later<A extends unknown[]>(handler: (...args: A) => void | Promise<void>): (...args: A) => Promise<void> {
    return (...args) =>
      new Promise<void>((resolve, reject) => {
        this.#answers.push(() => {
          try {
            Promise.resolve(handler(...args)).then(resolve, reject);
          } catch (err) {
            reject(err);
          }
        });
        this.wake.notify();
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
  handleAnswers(): void {
    if (this.#answers.length === 0) return;
    const answers = this.#answers.splice(0);
    this.transaction(() => {
      for (const answer of answers) answer();
    });
  }

  /** Counts `work` as active until it settles; the run does not end while any is. */
  track(work: Promise<void>): void {
    this.#active++;
    work
      .catch((err: unknown) => this.notice(`internal error: ${errorMessage(err)}`))
      .finally(() => {
        this.#active--;
        this.wake.notify();
      });
  }

  get active(): number {
    return this.#active;
  }

  // ---- retry windows -----------------------------------------------------

  /**
   * True while a job is inside its window for retrying transient errors.
   * `waitMs`: a wait the next try must make first (a Retry-After), counted as spent already.
   */
  windowLeft(key: string, waitMs = 0): boolean {
    const since = this.#failingSince.get(key) ?? this.now();
    this.#failingSince.set(key, since);
    return this.now() + waitMs - since < this.#retryWindowMs;
  }

  /** "gave up after 7 tries over 300 s (the retry window)", for a job whose retries ran out. */
  gaveUpAfter(key: string, tries: number): string {
    const seconds = (this.now() - (this.#failingSince.get(key) ?? this.now())) / 1000;
    return `gave up after ${tries} tries over ${seconds >= 10 ? Math.round(seconds) : seconds.toFixed(1)} s (the retry window)`;
  }

  backoff(failures: number): number {
    return backoffDelay(failures, { ...BACKOFF, random: this.random });
  }

  nextFailure(key: string): number {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    return n;
  }

  succeeded(key: string): void {
    this.#failingSince.delete(key);
    this.#failures.delete(key);
  }

  // ---- stopping the run --------------------------------------------------

  get stoppedBy(): StopReason | undefined {
    return this.#stoppedBy;
  }

  /** Stops sending creates for the rest of the run (tasks in flight are still collected, unless the key was refused). */
  stop(reason: StopReason, message: string): void {
    if (this.#stoppedBy !== undefined) return;
    this.#stoppedBy = reason;
    const why = { auth: "the API refused the key", quota: "the account is out of credits", rate_limited: "the API refused every create for the retry window (429) with no task of this run in flight" }[reason];
    this.notice(`${why}: no new tasks will be sent this run (${message})`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
