import { EventEmitter } from "node:events";
import type { RunnerEventMap, RunnerEventName } from "./events.js";

type Listener<K extends RunnerEventName> = (payload: RunnerEventMap[K]) => void;

/** node's EventEmitter, typed by the runner's event map. */
export class RunnerEmitter {
  readonly #inner = new EventEmitter();

  on<K extends RunnerEventName>(name: K, listener: Listener<K>): () => void {
    this.#inner.on(name, listener);
    return () => this.#inner.off(name, listener);
  }

  emit<K extends RunnerEventName>(name: K, payload: RunnerEventMap[K]): void {
    this.#inner.emit(name, payload);
  }

  /** Resolves with the first event of `name` that satisfies `predicate`: tests await this instead of sleeping. */
  waitFor<K extends RunnerEventName>(name: K, predicate: (payload: RunnerEventMap[K]) => boolean = () => true): Promise<RunnerEventMap[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (payload) => {
        if (!predicate(payload)) return;
        off();
        resolve(payload);
      });
    });
  }
}
