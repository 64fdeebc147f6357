/**
 * The simulator's time. Every time it reads (task timelines, URL expiries,
 * ledger stamps) and every wait it starts (generation times, --delay, callback
 * retries and timeouts) goes through one clock, so a test can move time by
 * hand instead of sleeping through it.
 */
export interface SimClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls fn once `ms` have passed on this clock; the function returned cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: SimClock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
