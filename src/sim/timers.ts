import type { SimClock } from "./clock.js";

/** Every timer the simulator starts on its clock, so close() can clear them all (tests fail on leaks). */
export class Timers {
  private readonly pending = new Set<() => void>();
  private closed = false;

  constructor(private readonly clock: SimClock) {}

  now(): number {
    return this.clock.now();
  }

  /**
   * Runs fn after ms; does nothing once closed, so late work cannot outlive the
   * simulator. Returns a function that cancels it.
   */
  after(ms: number, fn: () => void): () => void {
    if (this.closed) return () => undefined;
    const cancel = this.clock.after(ms, () => {
      this.pending.delete(cancel);
      fn();
    });
    this.pending.add(cancel);
    return () => {
      this.pending.delete(cancel);
      cancel();
    };
  }

  /**
   * Resolves after `ms`. After close() it never resolves: the request that
   * waited dies with its socket instead of running on a closed simulator.
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  /** A signal that aborts with a TimeoutError after `ms`, like AbortSignal.timeout but on this clock. */
  timeout(ms: number): { signal: AbortSignal; clear: () => void } {
    const controller = new AbortController();
    const clear = this.after(ms, () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")));
    return { signal: controller.signal, clear };
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }
}
