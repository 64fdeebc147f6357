import type { SimClock } from "../../src/sim/clock.js";

interface Timer {
  at: number;
  /** Order of setting, which breaks ties between timers due at the same time. */
  seq: number;
  fn: () => void;
}

/**
 * A clock the test moves by hand (`startSimulator({ clock })`), for tests
 * whose subject is time: nothing falls due until advance(ms), which fires what
 * is due, in order, each at its own time. Real sockets still take real time;
 * only what the simulator waits on is moved by hand.
 */
export class ManualClock implements SimClock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];
  readonly #watchers: ((ms: number) => void)[] = [];

  constructor(start = Date.UTC(2026, 10, 23, 9, 0, 0)) {
    this.#now = start;
  }

  /** Bound, so `clock.now` can be handed on as a `() => number`. */
  readonly now = (): number => this.#now;

  after(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    for (const watcher of this.#watchers.splice(0)) watcher(ms);
    return () => this.#remove(timer);
  }

  /**
   * Moves time forward by `ms`, firing every timer due by then in order of due
   * time, with now() at that timer's time; a timer set by one that fires also
   * fires if it falls due within the same advance.
   */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance expects a duration of 0 ms or more, got ${ms}`);
    const end = this.#now + ms;
    for (let next = this.#first(end); next !== undefined; next = this.#first(end)) {
      this.#remove(next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = end;
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Resolves with the delay of the next timer set from now on: how a test
   * learns that the simulator started a wait (a held request, a callback retry)
   * without polling for it.
   */
  nextTimer(): Promise<number> {
    return new Promise((resolve) => this.#watchers.push(resolve));
  }

  #first(end: number): Timer | undefined {
    let first: Timer | undefined;
    for (const t of this.#timers) {
      if (t.at <= end && (first === undefined || t.at < first.at || (t.at === first.at && t.seq < first.seq))) first = t;
    }
    return first;
  }

  #remove(timer: Timer): void {
    const i = this.#timers.indexOf(timer);
    if (i !== -1) this.#timers.splice(i, 1);
  }
}
