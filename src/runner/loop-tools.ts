/** Small data structures the run loop needs, kept apart so the loop reads as policy. */

/** FIFO of job keys with O(1) shift, for queues of 10,000 jobs. */
export class KeyQueue {
  #items: string[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(key: string): void {
    this.#items.push(key);
  }

  /** The key shift() would give, left in place. */
  peek(): string | undefined {
    return this.#items[this.#head];
  }

  shift(): string | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const key = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return key;
  }
}

/** Keys waiting until a time (a backoff) before they rejoin a queue, by lane. */
export class Timers {
  readonly #lanes = new Map<string, Map<string, number>>();

  add(lane: string, key: string, dueAt: number): void {
    let entries = this.#lanes.get(lane);
    if (entries === undefined) this.#lanes.set(lane, (entries = new Map<string, number>()));
    entries.set(key, dueAt);
  }

  has(lane: string): boolean {
    return (this.#lanes.get(lane)?.size ?? 0) > 0;
  }

  takeDue(lane: string, now: number): string[] {
    const entries = this.#lanes.get(lane);
    if (entries === undefined) return [];
    const due: string[] = [];
    for (const [key, at] of entries) {
      if (at <= now) {
        due.push(key);
        entries.delete(key);
      }
    }
    return due;
  }

  nextDue(): number | undefined {
    let next: number | undefined;
    for (const entries of this.#lanes.values()) for (const at of entries.values()) next = next === undefined ? at : Math.min(next, at);
    return next;
  }
}

/**
 * Lets the loop sleep until a timer or until something it waits on happens.
 * A notify wakes the loop on the next turn of the event loop (setImmediate),
 * not at once: every answer that arrives in the same turn is then handled by
 * one pass of the loop (and one commit).
 */
export class Wake {
  #notify: (() => void) | undefined;
  #pending = false;
  #scheduled = false;

  notify(): void {
    if (this.#notify === undefined) {
      this.#pending = true;
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      // Whoever waits by then (the waiter of the notify may have timed out and been replaced).
      if (this.#notify === undefined) this.#pending = true;
      else this.#notify();
    });
  }

  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.#notify === done) this.#notify = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#notify = done;
    });
  }
}
