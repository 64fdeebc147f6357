import type { AddressInfo } from "node:net";
import { CallbackSender } from "./callbacks.js";
import { ResultFile } from "./content.js";
import { FaultPlan, seededRandom } from "./faults.js";
import { createSimServer } from "./http.js";
import { Ledger } from "./ledger.js";
import { DEFAULT_SIM_OPTIONS, type Faults, type SimOptions } from "./options.js";
import { Realism } from "./realism.js";
import { TaskBook } from "./tasks.js";
import { Timers } from "./timers.js";
import { UploadBook } from "./uploads.js";

/**
 * A local stand-in for EvoLink's task API over real HTTP on loopback, for the
 * demo (`shotlist run --sim`), the runner tests and the benchmarks.
 */

export { DEFAULT_SIM_OPTIONS, type Faults, type SimOptions } from "./options.js";
export type { FaultKind } from "./faults.js";
export { realClock, type SimClock } from "./clock.js";
export type * from "./ledger.js";
export { Ledger } from "./ledger.js";

export interface Simulator {
  /** Base URL of the API, of the result files and of the files service (uploads), e.g. http://127.0.0.1:PORT */
  url: string;
  /** The key it accepts. */
  apiKey: string;
  /** Live record of everything it saw and did. */
  ledger: Ledger;
  /** Changes fault knobs from now on; tasks already made keep their timeline and outcome. */
  setFaults(faults: Partial<Faults>): void;
  /** sha256 (hex) of the bytes a task's result URL serves. */
  expectedSha256(taskId: string): string;
  /** The bytes a task's result URL serves (held in memory: not for padded benchmark sizes). */
  expectedBytes(taskId: string): Buffer;
  /** When a task was made and when it ends (Infinity: never), for a benchmark's ideal schedule. */
  timeline(taskId: string): { createdMs: number; endsMs: number } | undefined;
  /** Closes the server, every socket, timer and pending callback. */
  close(): Promise<void>;
}

export async function startSimulator(options: Partial<SimOptions> = {}): Promise<Simulator> {
  const opts: SimOptions = { ...DEFAULT_SIM_OPTIONS, ...options };
  const timers = new Timers(opts.clock);
  const ledger = new Ledger(() => timers.now());
  const plan = new FaultPlan(opts, seededRandom(opts.seed));
  const callbacks = new CallbackSender(opts, ledger, timers, plan);
  const realism = new Realism(opts);
  let url = "";
  const book: TaskBook = new TaskBook(
    opts,
    plan,
    ledger,
    timers,
    () => url,
    (task) => {
      if (task.request.callback_url !== undefined) callbacks.send(task.request.callback_url, book.view(task));
    },
    realism,
  );
  const resultFile = (taskId: string): ResultFile => {
    const task = book.get(taskId);
    // The takes of one prompt are its creates in turn: each gets the next variant, so takes look apart.
    const look = task && { aspectRatio: task.request.aspect_ratio, duration: task.request.duration, variant: task.attempt - 1 };
    return new ResultFile(taskId, opts.resultBytes, look);
  };
  const uploads = new UploadBook(opts, timers, () => url);
  const server = createSimServer({ options: opts, plan, ledger, book, timers, realism, uploads, resultFile });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
  const hashes = new Map<string, string>();

  return {
    url,
    apiKey: opts.apiKey,
    ledger,
    setFaults: (faults) => plan.set(faults),
    expectedSha256(taskId) {
      const known = hashes.get(taskId) ?? resultFile(taskId).sha256();
      hashes.set(taskId, known);
      return known;
    },
    expectedBytes: (taskId) => Buffer.concat([...resultFile(taskId).chunks()]),
    timeline(taskId) {
      const task = book.get(taskId);
      return task === undefined ? undefined : { createdMs: task.created_ms, endsMs: task.ends_ms };
    },
    async close() {
      timers.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await Promise.all([closed, callbacks.close()]);
    },
  };
}
