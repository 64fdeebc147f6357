import type { Writable } from "node:stream";
import type { RunnerEmitter } from "../runner/emitter.js";
import type { RunnerEventMap, RunnerEventName } from "../runner/events.js";
import { plainRenderer } from "./progress-plain.js";
import { jsonRenderer } from "./progress-json.js";
import { ttyRenderer } from "./progress-tty.js";

/**
 * How a run shows itself while it works:
 * - tty: a live progress bar. Write it to stderr, so stdout keeps only the
 *   end-of-run summary and can be piped.
 * - plain: one timestamped line per state change and per notice, no escape
 *   codes; for logs (nightly jobs, CI). stderr as well.
 * - json: one JSON object per line for machines (progress-json.ts documents
 *   the fields); stdout, which then carries nothing else.
 */
export type ProgressMode = "tty" | "plain" | "json";

/** Anything the runner's events can be subscribed on: the RunnerEmitter, or a test double. */
export type RunnerEvents = Pick<RunnerEmitter, "on">;

export type RunnerHandlers = { [K in RunnerEventName]?: (payload: RunnerEventMap[K]) => void };

/** One display mode: what it does on each event, and how it lets go of the stream. */
export interface Renderer {
  handlers: RunnerHandlers;
  close(): void;
}

export interface ProgressReporter {
  attach(events: RunnerEvents): void;
  /** Unsubscribes and finishes the display (the bar's last frame). Safe to call twice. */
  stop(): void;
}

const RENDERERS: Record<ProgressMode, (stream: Writable) => Renderer> = {
  tty: ttyRenderer,
  plain: plainRenderer,
  json: jsonRenderer,
};

export function createProgressReporter(options: { stream: Writable; mode: ProgressMode }): ProgressReporter {
  const renderer = RENDERERS[options.mode](options.stream);
  const unsubscribers: (() => void)[] = [];
  let stopped = false;

  return {
    attach(events) {
      const subscribe = <K extends RunnerEventName>(name: K): void => {
        const handler = renderer.handlers[name];
        if (handler !== undefined) unsubscribers.push(events.on(name, handler));
      };
      for (const name of Object.keys(renderer.handlers) as RunnerEventName[]) subscribe(name);
    },
    stop() {
      for (const off of unsubscribers.splice(0)) off();
      if (stopped) return;
      stopped = true;
      renderer.close();
    },
  };
}
