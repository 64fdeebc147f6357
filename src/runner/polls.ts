/**
 * The poll stage: reads every task in flight at the API, each when it is due,
 * from the one run loop. A finished task hands its job on: to the downloads
 * (completed), back to the create queue (a failure worth a new task), or to
 * its final state.
 */
import { ApiError, classifyTaskFailure, type Task } from "../api/index.js";
import type { ErrorClass } from "../model/index.js";
import { decideAfterPollError, decideAfterTaskFailure, decideOnEmptyCompletion, EMPTY_COMPLETION_READS, pollRetryDelay } from "./decide.js";
import { resultUrlOf, type Downloads } from "./downloads.js";
import type { KeyQueue } from "./loop-tools.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import { Pace } from "./pace.js";
import { firstPollDelay, nextPollDelay } from "./schedule.js";
import { counted } from "../text.js";

/** How the callback stage (callback-hints.ts) takes part in polling, when the run has a callback receiver. */
export interface PollHooks {
  /** The delay before the next read of a task still generating, given the plain schedule's. */
  delay(key: string, task: Task, plainMs: number, now: number): number;
  /** A read of the job's task answered with it. */
  answered(key: string, task: Task): void;
}

export class Polls {
  /**
   * Tasks in flight at the API, by job key: when each is next polled. `again`: a callback
   * came while its read was on the wire, which may have left before the task ended.
   */
  readonly #polls = new Map<string, { dueAt: number; busy: boolean; again?: boolean }>();
  /** Job keys by the task ids followed this run (an entry stays once its task is no longer followed). */
  readonly #byTask = new Map<string, string>();
  #hooks: PollHooks | undefined;
  readonly #tasksThisRun = new Map<string, number>();
  /** Reads of a completed task that came without a result URL, by job key. */
  readonly #emptyCompletions = new Map<string, number>();
  /** What this run's finished tasks taught about estimates and progress (pace.ts). */
  readonly #pace = new Pace();

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "pollIntervalMs" | "taskTimeoutMs" | "urlLifetimeMs" | "maxAttempts">,
    private readonly deps: Pick<RunnerDeps, "api" | "emitter">,
    private readonly downloads: Pick<Downloads, "push">,
    /** Jobs waiting for a fresh create; a failed task that is worth a new one goes back here. */
    private readonly toCreate: KeyQueue,
  ) {}

  /** Tasks being followed: each holds a slot at the API. */
  get size(): number {
    return this.#polls.size;
  }

  /** A task was created for the job: count it against --max-attempts, and first read it at its estimate. */
  follow(key: string, task: Task, now: number): void {
    this.#tasksThisRun.set(key, (this.#tasksThisRun.get(key) ?? 0) + 1);
    this.#byTask.set(task.id, key);
    const estimate = task.task_info?.estimated_time;
    this.#pace.started(key, now, estimate);
    const plain = this.#pace.firstReadDelay(key) ?? firstPollDelay(estimate, this.config.pollIntervalMs, this.run.random);
    this.#polls.set(key, { dueAt: now + this.#paced(key, task, plain, now), busy: false });
  }

  /** Reads the job's task (recorded by an earlier run) at the next turn. */
  pollNow(key: string): void {
    const taskId = this.run.book.row(key).task_id;
    if (taskId !== null) this.#byTask.set(taskId, key);
    this.#pollAgainIn(key, 0);
  }

  /** Lets the callback stage set the pace of reads and hear their answers. */
  hook(hooks: PollHooks): void {
    this.#hooks = hooks;
  }

  /** The job whose task this is, while the run follows it. */
  followerOf(taskId: string): string | undefined {
    const key = this.#byTask.get(taskId);
    return key !== undefined && this.#polls.has(key) && this.run.book.row(key).task_id === taskId ? key : undefined;
  }

  /** Reads the job's task at once (a callback said it changed): "now", or "after" the read already on the wire. */
  readSoon(key: string): "now" | "after" | "not-followed" {
    const poll = this.#polls.get(key);
    if (poll === undefined) return "not-followed";
    if (poll.busy) {
      poll.again = true;
      return "after";
    }
    // Called from an answer handler: the turn it runs in starts the read.
    poll.dueAt = this.run.book.now();
    return "now";
  }

  #paced(key: string, task: Task, plainMs: number, now: number): number {
    return this.#hooks === undefined ? plainMs : this.#hooks.delay(key, task, plainMs, now);
  }

  hasWork(): boolean {
    return this.run.stop.reason !== "auth" && this.#polls.size > 0;
  }

  /** When the next poll that is not under way is due, if any. */
  nextDue(): number | undefined {
    let due: number | undefined;
    for (const poll of this.#polls.values()) if (!poll.busy) due = due === undefined ? poll.dueAt : Math.min(due, poll.dueAt);
    return due;
  }

  start(now: number): void {
    if (this.run.signal.aborted || this.run.stop.reason === "auth") return;
    const { book, answers } = this.run;
    // forEach, not for-of over entries: this runs every turn over every task in flight, and
    // entries() makes a [key, value] array per task per turn (150 MB in a 10,000-job run).
    this.#polls.forEach((poll, key) => {
      if (poll.busy || poll.dueAt > now) return;
      poll.busy = true;
      const taskId = book.row(key).task_id;
      if (taskId === null) throw new Error(`job ${key} is generating without a task id`);
      answers.track(
        this.deps.api.getTask(taskId, { signal: this.run.signal }).then(
          answers.later((task: Task) => this.#onPolled(key, task)),
          answers.later((err: unknown) => this.#onPollError(key, err)),
        ),
      );
    });
  }

  /** The task is no longer read: its slot is free. */
  #unfollow(key: string): void {
    this.#polls.delete(key);
    this.#pace.forget(key);
  }

  #pollAgainIn(key: string, delayMs: number): void {
    this.#polls.set(key, { dueAt: this.run.book.now() + delayMs, busy: false });
  }

  #onPolled(key: string, task: Task): void {
    if (this.run.signal.aborted) return;
    const { book, retries } = this.run;
    const asked = book.row(key).task_id;
    if (task.id !== asked) {
      // Another task's answer (a confused proxy or cache): its result is not this job's clip.
      const message = `reading task ${asked} answered task ${JSON.stringify(task.id)} instead`;
      return this.#onPollError(key, new ApiError(message, { kind: "transient", apiCode: "invalid_answer" }));
    }
    retries.succeeded(key);
    this.#hooks?.answered(key, task);
    const now = book.now();
    switch (task.status) {
      case "pending":
      case "processing":
        return this.#stillGenerating(key, task, now);
      case "completed": {
        const url = resultUrlOf(task);
        const emptyReads = this.#emptyCompletions.get(key) ?? 0;
        if (url === undefined && decideOnEmptyCompletion(emptyReads) === "read-again") {
          this.#emptyCompletions.set(key, emptyReads + 1);
          return this.#pollAgainIn(key, this.config.pollIntervalMs);
        }
        this.#pace.finished(key, now);
        this.#unfollow(key);
        this.#emptyCompletions.delete(key);
        if (url === undefined) {
          return this.#taskFailed(
            key,
            "unknown",
            "completed_without_results",
            `the API reported the task completed but sent no result URL (read ${EMPTY_COMPLETION_READS + 1} times)`,
          );
        }
        book.move(
          key,
          "completed",
          { result_url: url, result_expires_at_ms: now + this.config.urlLifetimeMs, finished_at_ms: now, progress: 100 },
          "completed",
        );
        this.downloads.push(key);
        return;
      }
      case "failed":
        this.#unfollow(key);
        return this.#taskFailed(
          key,
          classifyTaskFailure(task.error?.code),
          task.error?.code ?? null,
          task.error?.message ?? "the task failed with no detail from the API",
        );
      case "cancelled":
        this.#unfollow(key);
        book.move(key, "cancelled", { finished_at_ms: now }, "cancelled");
        return;
    }
  }

  #stillGenerating(key: string, task: Task, now: number): void {
    const { book, answers } = this.run;
    const row = book.row(key);
    if (row.submitted_at_ms !== null && now - row.submitted_at_ms > this.config.taskTimeoutMs) {
      this.#unfollow(key);
      // Tracked like any request of the run, and a refused cancel is said: a task left running
      // past its timeout may still be billed, which the user should know.
      answers.track(
        this.deps.api.cancelTask(task.id).then(
          () => undefined,
          (err: unknown) => book.notice(`could not cancel task ${task.id} after its timeout: ${errorMessage(err)}`, key),
        ),
      );
      book.move(
        key,
        "failed",
        {
          error_class: "timeout",
          error_code: "task_timeout",
          error_message: `the task did not finish within ${Math.round(this.config.taskTimeoutMs / 1000)} s (--task-timeout)`,
          finished_at_ms: now,
        },
        "timeout",
      );
      return;
    }
    const progress = task.progress ?? row.progress;
    if (progress !== row.progress) {
      const updated = book.update(key, { progress });
      this.deps.emitter.emit("job:progress", { job: updated, progress, at_ms: now });
    }
    const again = this.#polls.get(key)?.again === true;
    const predicted = this.#pace.running(key, now, progress, this.config.pollIntervalMs);
    this.#pollAgainIn(key, again ? 0 : this.#paced(key, task, predicted ?? nextPollDelay(this.config.pollIntervalMs, this.run.random), now));
  }

  #taskFailed(key: string, errorClass: ErrorClass, code: string | null, message: string): void {
    const { book, stop } = this.run;
    const tasks = this.#tasksThisRun.get(key) ?? 0;
    const decision = decideAfterTaskFailure(errorClass, tasks, this.config.maxAttempts);
    // A retry-later failure that is final ran out of attempts: say so, or "try again later" reads like advice not yet taken.
    const spent = decision.to === "failed" && (errorClass === "transient" || errorClass === "unknown");
    const shown = spent ? `${counted(tasks, "task")} failed this run, the most --max-attempts allows (${this.config.maxAttempts}): ${message}` : message;
    book.move(
      key,
      decision.to,
      { error_class: errorClass, error_code: code, error_message: shown, finished_at_ms: book.now() },
      decision.to === "queued" ? "retry-as-new-task" : "failed",
      { code },
    );
    if (decision.stopRun !== undefined) stop.stop(decision.stopRun, message);
    if (decision.to === "queued") this.toCreate.push(key);
  }

  #onPollError(key: string, err: unknown): void {
    if (this.run.signal.aborted) return;
    const { book, retries, stop } = this.run;
    const kind = err instanceof ApiError ? err.kind : "transient";
    const decision = decideAfterPollError(kind, { windowLeft: retries.windowLeft(key) });
    switch (decision.action) {
      case "stop-run":
        this.#unfollow(key);
        return stop.stop(decision.stopRun, errorMessage(err));
      case "task-gone":
        this.#unfollow(key);
        return this.#taskFailed(key, "unknown", err instanceof ApiError ? (err.apiCode ?? null) : null, `reading the task failed: ${errorMessage(err)}`);
      case "retry": {
        const retryAfterMs = err instanceof ApiError ? err.retryAfterMs : undefined;
        return this.#pollAgainIn(
          key,
          pollRetryDelay(kind, { retryAfterMs, backoffMs: () => retries.backoff(retries.nextFailure(key)), pollIntervalMs: this.config.pollIntervalMs }),
        );
      }
      case "give-up":
        this.#unfollow(key);
        book.update(
          key,
          {
            error_class: "transient",
            error_message: `could not read the task (${retries.gaveUpAfter(key, retries.nextFailure(key))}; the next run polls it again): ${errorMessage(err)}`,
          },
          "poll-gave-up",
        );
        book.notice(`gave up polling ${book.row(key).shot_id} take ${book.row(key).take} for this run: ${errorMessage(err)}`, key);
        return;
    }
  }
}
