/**
 * The answer queue: every request of the run (a create, a poll, a download)
 * hands its outcome to a handler that runs at the top of the next loop turn,
 * with the other answers of that turn, so their writes share one commit.
 *
 * Handlers only change rows and queue work; they never await. One that
 * throws is a bug, never an outcome: its own changes are undone, and the run
 * ends at once (see `failure`) instead of carrying on with the job stuck
 * where a rerun would pay for it again.
 */
import { coerceError } from "../errors.js";
import { Wake } from "./loop-tools.js";

/** What the queue needs of the job book to undo a failed handler's changes. */
export interface Undoable {
  mark(): number;
  undoTo(mark: number): void;
}

export class AnswerQueue {
  /** The loop sleeps on this; every answer and every end of tracked work wakes it. */
  readonly wake = new Wake();
  readonly #answers: (() => void)[] = [];
  #active = 0;
  #failure: Error | undefined;

  constructor(private readonly book: Undoable) {}

  /** Wraps a handler so it runs at the next turn's handle(); the promise settles once it has run. */
  later<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => Promise<void> {
    return (...args) =>
      new Promise<void>((resolve, reject) => {
        this.#answers.push(() => {
          const mark = this.book.mark();
          try {
            handler(...args);
            resolve();
          } catch (err) {
            this.book.undoTo(mark);
            reject(err);
          }
        });
        this.wake.notify();
      });
  }

  /** Runs the answers that came in since the last turn. */
  handle(): void {
    for (const answer of this.#answers.splice(0)) answer();
  }

  /** Counts `work` as active until it settles; the run does not end while any is. A rejection ends the run. */
  track(work: Promise<void>): void {
    this.#active++;
    work
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.#active--;
        this.wake.notify();
      });
  }

  get active(): number {
    return this.#active;
  }

  /** Ends the run: the first failure is the one reported. */
  fail(err: unknown): void {
    this.#failure ??= coerceError(err);
    this.wake.notify();
  }

  /** The internal error that ends the run, if one happened. */
  get failure(): Error | undefined {
    return this.#failure;
  }
}
