/**
 * The run loop: keeps every generation slot busy, polls all tasks in flight
 * from one loop, downloads beside, and commits every state change before it
 * acts on it. Decisions come from decide.ts and schedule.ts; the stages
 * (submits.ts, polls.ts, downloads.ts, after resume.ts) carry them out, each
 * writing through the one job book (job-book.ts). This file turns the loop.
 */
import type { JobRow } from "../model/rows.js";
import { Downloads } from "./downloads.js";
import { JobBook, type StopReason } from "./job-book.js";
import { KeyQueue } from "./loop-tools.js";
import { Polls } from "./polls.js";
import { resumeJobs } from "./resume.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import { Submits } from "./submits.js";

export type { RunnerConfig, RunnerDeps } from "./runner-config.js";

export interface RunOutcome {
  jobs: JobRow[];
  interrupted: boolean;
  /** Why submitting stopped early for the whole run, if it did. */
  stoppedBy?: StopReason;
}

const HEARTBEAT_MS = 5_000;

export async function runBatch(config: RunnerConfig, deps: RunnerDeps): Promise<RunOutcome> {
  return new BatchRun(config, deps).execute();
}

class BatchRun {
  readonly #book: JobBook;
  /** Jobs waiting for a fresh create: filled by resume and by polls (a failed task retried as a new one), emptied by submits. */
  readonly #toCreate = new KeyQueue();
  readonly #downloads: Downloads;
  readonly #polls: Polls;
  readonly #submits: Submits;
  #lastHeartbeat = 0;

  constructor(
    private readonly config: RunnerConfig,
    private readonly deps: RunnerDeps,
  ) {
    this.#book = new JobBook(config, deps);
    this.#downloads = new Downloads(this.#book, config, deps);
    this.#polls = new Polls(this.#book, config, deps, this.#downloads, this.#toCreate);
    this.#submits = new Submits(this.#book, config, deps, this.#polls, this.#toCreate);
  }

  async execute(): Promise<RunOutcome> {
    const { signal, emitter } = this.deps;
    const book = this.#book;
    const onAbort = (): void => {
      this.#submits.interrupt(signal.reason);
      book.wake.notify();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await resumeJobs(book, this.config, { toCreate: this.#toCreate, submits: this.#submits, polls: this.#polls, downloads: this.#downloads });
      const resumed = book.jobs();
      emitter.emit("run:start", {
        ...book.batchId,
        total: resumed.length,
        alreadyDone: resumed.filter((r) => r.state === "done").length,
        at_ms: book.now(),
      });
      await this.#loop();
    } finally {
      signal.removeEventListener("abort", onAbort);
      await this.#downloads.close();
    }
    const jobs = book.jobs();
    const stoppedBy = book.stoppedBy;
    emitter.emit("run:end", { jobs, interrupted: signal.aborted, at_ms: book.now() });
    return { jobs, interrupted: signal.aborted, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
  }

  async #loop(): Promise<void> {
    const book = this.#book;
    for (;;) {
      // This turn's answers commit (in one transaction) before anything below acts on them.
      book.handleAnswers();
      const now = book.now();
      this.#heartbeat(now);
      this.#submits.start(now);
      this.#polls.start(now);
      this.#downloads.start(now);
      if (book.active === 0 && !this.#hasWorkLeft()) return;
      await book.wake.wait(this.#nextWakeDelay(now));
    }
  }

  #hasWorkLeft(): boolean {
    if (this.deps.signal.aborted) return false;
    return this.#submits.hasWork() || this.#polls.hasWork() || this.#downloads.hasWork();
  }

  #nextWakeDelay(now: number): number {
    let due = now + HEARTBEAT_MS;
    for (const at of [this.#polls.nextDue(), this.#submits.nextDue(now), this.#downloads.nextDue()]) {
      if (at !== undefined) due = Math.min(due, at);
    }
    return Math.max(0, due - now);
  }

  #heartbeat(now: number): void {
    if (now - this.#lastHeartbeat < HEARTBEAT_MS) return;
    this.#lastHeartbeat = now;
    this.deps.store.heartbeat();
  }
}
