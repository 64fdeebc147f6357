/**
 * How long each job keeps retrying transient errors (429, 5xx, network) in
 * this run, and how long it waits between tries. A job's window opens at its
 * first failure and closes on its first success; the stages (creates, polls,
 * downloads) share it, so a job that fails in one stage and then another
 * does not get two windows.
 */
import { backoffDelay } from "../api/index.js";
import { counted } from "../text.js";

const BACKOFF = { baseMs: 1_000, capMs: 30_000 };

export class RetryWindows {
  readonly #failingSince = new Map<string, number>();
  /** Consecutive transient failures per job, for the backoff's exponent. */
  readonly #failures = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly random: () => number,
  ) {}

  /**
   * True while a job is inside its window (opening it at the first call).
   * `waitMs`: a wait the next try must make first (a Retry-After), counted as spent already.
   */
  windowLeft(key: string, waitMs = 0): boolean {
    const since = this.#failingSince.get(key) ?? this.now();
    this.#failingSince.set(key, since);
    return this.now() + waitMs - since < this.windowMs;
  }

  /** "gave up after 7 tries over 300 s (the retry window)", for a job whose retries ran out. */
  gaveUpAfter(key: string, tries: number): string {
    const seconds = (this.now() - (this.#failingSince.get(key) ?? this.now())) / 1000;
    return `gave up after ${counted(tries, "try", "tries")} over ${seconds >= 10 ? Math.round(seconds) : seconds.toFixed(1)} s (the retry window)`;
  }

  backoff(failures: number): number {
    return backoffDelay(failures, { ...BACKOFF, random: this.random });
  }

  /** Counts one more failure of the job; returns how many in a row. */
  nextFailure(key: string): number {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    return n;
  }

  succeeded(key: string): void {
    this.#failingSince.delete(key);
    this.#failures.delete(key);
  }
}
