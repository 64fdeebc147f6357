/**
 * The callback stage: turns the receiver's callbacks into reads. A callback
 * is a hint, never a fact: one for a task this run follows, not seen before
 * with that status, makes the poll stage read the task at once, and the run
 * acts on what that read says. While callbacks are seen to work, the tasks
 * that will call back are read only as a safety net (decide.ts,
 * callbackPollDelay).
 */
import type { Task } from "../api/index.js";
import type { CallbackInbox, ReceivedCallback } from "./callback-receiver.js";
import { callbackPollDelay, decideOnCallback } from "./decide.js";
import type { PollHooks, Polls } from "./polls.js";
import { redactKeyLike } from "./redact.js";
import type { RunParts } from "./run-parts.js";
import type { RunnerConfig } from "./runner-config.js";
import type { RequestStep } from "./send-request.js";

/** What became of the callbacks the run heard. */
export interface CallbackCounts {
  /** Led to a read of their task. */
  read: number;
  /** The same task and status again: dropped. */
  repeats: number;
  /** For a task this run does not follow (another account's, an earlier run's, forged, or already collected): ignored. */
  unknownTask: number;
  /** Claiming a status the API does not call back with: ignored. */
  ignoredStatus: number;
}

export class CallbackHints implements PollHooks {
  readonly counts: CallbackCounts = { read: 0, repeats: 0, unknownTask: 0, ignoredStatus: 0 };
  /** Jobs whose create this run carried the callback URL: their tasks call back here. */
  readonly #carried = new Set<string>();
  /** When each task is estimated to end, by task id, from the first answer that said. */
  readonly #estimateEnd = new Map<string, number>();
  /** Task id and status of every callback read. */
  readonly #seen = new Set<string>();
  /** The status a callback claimed, by task id, until a read answers; `skip` reads were on the wire before it came. */
  readonly #claims = new Map<string, { status: string; skip: number }>();
  /** Tasks a callback lied about: polled as if none were expected. */
  readonly #doubted = new Set<string>();
  /** Callbacks whose read said what they claimed. */
  #confirmed = 0;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "pollIntervalMs">,
    private readonly url: string,
    inbox: CallbackInbox,
    private readonly polls: Pick<Polls, "hook" | "followerOf" | "readSoon">,
  ) {
    polls.hook(this);
    const { answers } = run;
    this.#unsubscribe = inbox.subscribe((callback) => answers.track(answers.later(() => this.#onCallback(callback))()));
  }

  /** The send-time step: every create carries the callback URL, but one the manifest gives its shot is sent as it is. */
  readonly step: RequestStep = (request, job) => {
    const sent = request.callback_url === undefined ? { ...request, callback_url: this.url } : request;
    if (sent.callback_url === this.url) this.#carried.add(job.key);
    return sent;
  };

  /** Stops taking callbacks: the run is over. */
  close(): void {
    this.#unsubscribe();
  }

  delay(key: string, task: Task, plainMs: number, now: number): number {
    const estimate = task.task_info?.estimated_time;
    if (!this.#estimateEnd.has(task.id) && estimate !== undefined && Number.isFinite(estimate) && estimate > 0)
      this.#estimateEnd.set(task.id, now + estimate * 1000);
    return callbackPollDelay(plainMs, {
      intervalMs: this.config.pollIntervalMs,
      now,
      expected: this.#carried.has(key) && !this.#doubted.has(task.id),
      arriving: this.#confirmed > 0,
      estimateEndMs: this.#estimateEnd.get(task.id),
    });
  }

  answered(_key: string, task: Task): void {
    const claim = this.#claims.get(task.id);
    if (claim === undefined) return;
    if (claim.status !== task.status && claim.skip > 0) {
      // This read left before the callback came: the next one judges it.
      claim.skip--;
      return;
    }
    this.#claims.delete(task.id);
    if (claim.status === task.status) this.#confirmed++;
    else this.#doubted.add(task.id);
  }

  #onCallback(callback: ReceivedCallback): void {
    if (this.run.signal.aborted) return;
    const key = this.polls.followerOf(callback.taskId);
    const seen = `${callback.taskId}\n${callback.status}`;
    switch (decideOnCallback({ followed: key !== undefined, status: callback.status, seenBefore: this.#seen.has(seen) })) {
      case "unknown-task":
        this.counts.unknownTask++;
        return;
      case "ignored-status":
        this.counts.ignoredStatus++;
        return;
      case "repeat":
        this.counts.repeats++;
        return;
      case "read":
        break;
    }
    if (key === undefined) return;
    this.#seen.add(seen);
    this.counts.read++;
    this.run.book.update(key, {}, "callback", { task_id: callback.taskId, status: callback.status, payload: redactKeyLike(callback.payload) });
    const read = this.polls.readSoon(key);
    this.#claims.set(callback.taskId, { status: callback.status, skip: read === "after" ? 1 : 0 });
  }
}
