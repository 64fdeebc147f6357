/**
 * What a test left running: listening servers, sockets, child processes,
 * timers, and open files (a better-sqlite3 store holds its state file, -wal
 * and -shm open until close()). leak-check.setup.ts takes a snapshot before
 * each test and fails the test with leaksSince(snapshot) once the test's own
 * cleanup (afterEach, onTestFinished) has run.
 *
 *   const before = takeSnapshot();
 *   ... open and close things ...
 *   expect(await leaksSince(before)).toEqual([]);
 */
import { ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import { Server, Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";

export interface Snapshot {
  /** libuv handles by their owning objects (Server, Socket, ChildProcess...). */
  handles: Set<object>;
  /** Timers set through the global setTimeout/setInterval and not yet fired or cleared. */
  timers: Set<NodeJS.Timeout>;
  /** Open regular files, as "fd path". */
  files: Set<string>;
}

/**
 * Closing is asynchronous even when the test awaited it: a socket whose peer
 * hung up ends on the next I/O poll, a closed handle is freed in the loop's
 * close phase after that. Each turn lets one round of both run; nothing
 * waits on a clock.
 */
const SETTLE_TURNS = 20;

// Node has listed handles by their objects since v0.x; the API is undocumented, hence the cast.
const activeHandles = (): object[] => (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();

const FD_DIR = "/proc/self/fd";

function openFiles(): Set<string> {
  const files = new Set<string>();
  // Only Linux lists a process's descriptors; elsewhere files go unchecked.
  if (!existsSync(FD_DIR)) return files;
  for (const fd of readdirSync(FD_DIR)) {
    let target: string;
    try {
      target = readlinkSync(`${FD_DIR}/${fd}`);
    } catch {
      continue; // the descriptor readdirSync used for the listing, closed since
    }
    if (target.startsWith("/") && !target.startsWith("/dev/") && !target.startsWith("/proc/")) files.add(`${fd} ${target}`);
  }
  return files;
}

/**
 * Every timer set through the global setTimeout/setInterval, with where it
 * was set. Node lists timers only as a count, and vitest keeps timers of its
 * own that come and go; the globals are wrapped instead (vitest holds the
 * originals). Held on globalThis so a module loaded twice wraps them once.
 */
const TIMERS = Symbol.for("shotlist.test.timers");

function liveTimers(): Map<NodeJS.Timeout, Error> {
  const g = globalThis as { [TIMERS]?: Map<NodeJS.Timeout, Error> };
  if (g[TIMERS] !== undefined) return g[TIMERS];
  // The Error keeps the frames; its text (source-mapped by vitest, which is slow) is made only for a leak.
  const live = new Map<NodeJS.Timeout, Error>();
  let pruneAt = 1_000;
  const wrap = <F extends (...args: never[]) => NodeJS.Timeout>(original: F): F => {
    const wrapped = function (this: unknown, ...args: Parameters<F>): NodeJS.Timeout {
      const timer = original.apply(this, args);
      live.set(timer, new Error("set here"));
      if (live.size > pruneAt) {
        for (const t of live.keys()) if (isDone(t)) live.delete(t);
        pruneAt = Math.max(1_000, live.size * 2);
      }
      return timer;
    };
    // Keeps util.promisify(setTimeout) and the like working.
    return Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original)) as unknown as F;
  };
  globalThis.setTimeout = wrap(globalThis.setTimeout);
  globalThis.setInterval = wrap(globalThis.setInterval);
  g[TIMERS] = live;
  return live;
}

// Node marks a timer that fired (and will not repeat) or was cleared as destroyed.
function isDone(timer: NodeJS.Timeout): boolean {
  return (timer as unknown as { _destroyed: boolean })._destroyed;
}

/** The first frames of a stack outside this file and Node's internals. */
function setAt(stack: string): string {
  const frames = stack
    .split("\n")
    .slice(1)
    .map((l) => l.trim().replace(/^at /, ""));
  return frames
    .filter((f) => !f.includes("/test/helpers/leaks.ts") && !f.includes("node:internal"))
    .slice(0, 3)
    .join(" <- ");
}

liveTimers();

export function takeSnapshot(): Snapshot {
  const timers = new Set([...liveTimers().keys()].filter((t) => !isDone(t)));
  return { handles: new Set(activeHandles()), timers, files: openFiles() };
}

function describeHandle(handle: object, children: ChildProcess[]): string | null {
  if (handle instanceof Server) {
    const address = handle.address();
    return `a listening server on ${typeof address === "string" ? address : `${address?.address}:${address?.port}`}`;
  }
  if (handle instanceof Socket) {
    // A child's stdio pipes go with the child.
    if (children.some((c) => c.stdio.includes(handle))) return null;
    if (handle.remotePort === undefined) return "an open pipe or socket with no peer";
    return `an open socket ${handle.localAddress}:${handle.localPort} -> ${handle.remoteAddress}:${handle.remotePort}`;
  }
  if (handle instanceof ChildProcess) return `a child process (pid ${handle.pid}): ${handle.spawnargs.join(" ").slice(0, 200)}`;
  return `an open ${handle.constructor.name}`;
}

function leaks(before: Snapshot): string[] {
  const now = takeSnapshot();
  const added = [...now.handles].filter((h) => !before.handles.has(h));
  const children = added.filter((h): h is ChildProcess => h instanceof ChildProcess);
  const found = added.flatMap((h) => describeHandle(h, children) ?? []);
  // An unref'd timer keeps nothing alive, and what it does later is its owner's business.
  for (const timer of now.timers) {
    if (!before.timers.has(timer) && timer.hasRef()) found.push(`a timer still set, set at ${setAt(liveTimers().get(timer)?.stack ?? "")}`);
  }
  for (const file of now.files) {
    if (before.files.has(file)) continue;
    const path = file.slice(file.indexOf(" ") + 1);
    found.push(/\.(db|sqlite)(-wal|-shm)?( \(deleted\))?$/.test(path) ? `an open SQLite database file ${path} (a store not closed)` : `an open file ${path}`);
  }
  return found;
}

/** What was opened since `before` and is still open, after letting pending closes finish. */
export async function leaksSince(before: Snapshot): Promise<string[]> {
  let found = leaks(before);
  for (let turn = 0; turn < SETTLE_TURNS && found.length > 0; turn++) {
    await nextTurn();
    found = leaks(before);
  }
  return found;
}
