/**
 * At most `size` holders at once; the rest wait in the order they asked. The
 * API client holds one per request on the wire, so a request only starts its
 * timer once a connection is its own: time spent waiting here is not time the
 * API took, and a create that times out while queued would be a lost answer
 * (unknown, a paid-twice risk) for a request never sent.
 */
export class Slots {
  #free: number;
  readonly #waiting: { grant: () => void }[] = [];

  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`Expected at least one slot, got ${size}`);
    this.#free = size;
  }

  /** Resolves once a slot is this caller's; rejects with the signal's reason (and holds nothing) if it aborts first. */
  acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener("abort", abandon);
          resolve();
        },
      };
      const abandon = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        // The caller's own reason, as AbortSignal.throwIfAborted throws it.
        reject(signal?.reason as Error);
      };
      signal?.addEventListener("abort", abandon, { once: true });
      this.#waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#free++;
    else next.grant();
  }
}
