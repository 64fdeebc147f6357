/** Every timer the simulator starts, so close() can clear them all (tests fail on leaks). */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs fn after ms; does nothing once closed, so late work cannot outlive the simulator. */
  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    this.pending.add(timer);
  }

  /**
   * Resolves after `ms`. After close() it never resolves: the request that
   * waited dies with its socket instead of running on a closed simulator.
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
