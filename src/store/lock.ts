import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "better-sqlite3";
import { ShotlistError } from "../errors.js";
import { locked, lockLost, storeError, type LockHolder } from "./messages.js";
import type { StoreLease } from "./port.js";

/** A lock without a heartbeat for this long is taken to be abandoned. */
export const DEFAULT_LOCK_STALE_MS = 30_000;

/** How often the holder says it is alive: a few times within the stale limit. */
const HEARTBEAT_MS = 5_000;

interface LockRow extends LockHolder {
  owner: string;
}

/**
 * The one-runner-per-state-file lock: a single row in `lock`. Two runners on
 * one state would submit the same jobs and pay twice, so a second one is
 * refused while the holder lives. A crashed holder frees it: at once when it
 * ran on this host and its pid is gone, otherwise after `staleMs` without a
 * heartbeat (another host's pids cannot be checked).
 *
 * The holder's heartbeat runs on its own timer from acquire() to release(),
 * whatever the run is doing: a loop busy hashing clips for --verify sends no
 * heartbeat of its own. A take-over the timer finds is kept and thrown by
 * check(), which the runner calls every turn before it writes.
 */
export class StateLock implements StoreLease {
  readonly #db: Database;
  readonly #file: string;
  readonly #now: () => number;
  readonly #staleMs: number;
  readonly #host = hostname();
  /** Unique per opened store: two stores in one process are two owners. */
  readonly #owner = `${process.pid}@${this.#host}#${randomBytes(6).toString("hex")}`;
  #held = false;
  #lost: ShotlistError | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #select;
  readonly #take;
  readonly #beat;
  readonly #drop;

  constructor(db: Database, file: string, now: () => number, staleMs: number) {
    this.#db = db;
    this.#file = file;
    this.#now = now;
    this.#staleMs = staleMs;
    this.#select = db.prepare<[], LockRow>("SELECT owner, pid, hostname, acquired_at_ms, heartbeat_ms FROM lock WHERE id = 1");
    this.#take = db.prepare("INSERT OR REPLACE INTO lock (id, owner, pid, hostname, acquired_at_ms, heartbeat_ms) VALUES (1, ?, ?, ?, ?, ?)");
    this.#beat = db.prepare("UPDATE lock SET heartbeat_ms = ? WHERE id = 1 AND owner = ?");
    this.#drop = db.prepare("DELETE FROM lock WHERE id = 1 AND owner = ?");
  }

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock, or takes it over from an abandoned holder; throws state_locked if it lives. */
  acquire(): void {
    // IMMEDIATE: the check and the take-over happen under SQLite's write
    // lock, so two runners starting together cannot both win.
    try {
      this.#db
        .transaction(() => {
          const now = this.#now();
          const holder = this.#select.get();
          if (holder !== undefined && holder.owner !== this.#owner && !this.#abandoned(holder, now)) {
            throw locked(this.#file, holder, now, this.#staleMs);
          }
          this.#take.run(this.#owner, process.pid, this.#host, now, now);
        })
        .immediate();
    } catch (err) {
      // Another program's write transaction outlasted busy_timeout, or the disk is full: say so, never "SqliteError: ...".
      throw storeError(this.#file, err, this.#db.pragma("busy_timeout", { simple: true }) as number);
    }
    this.#held = true;
    this.#lost = undefined;
    // unref: the timer never keeps a finished process alive.
    this.#timer = setInterval(() => this.#beatInBackground(), Math.min(HEARTBEAT_MS, this.#staleMs / 3)).unref();
  }

  check(): void {
    if (this.#lost !== undefined) throw this.#lost;
  }

  #beatInBackground(): void {
    try {
      this.heartbeat();
    } catch (err) {
      if (err instanceof ShotlistError && err.code === "state_locked") {
        this.#lost = err;
        this.#stopTimer();
      }
      // Anything else (the file busy for a moment) is tried again at the next beat; the runner's
      // own commits report a store that stays broken.
    }
  }

  #stopTimer(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Tells other runners this one is alive; throws state_locked if it was taken over meanwhile. */
  heartbeat(): void {
    if (!this.#held) throw new ShotlistError("internal", "heartbeat() called without holding the lock: call acquire() first");
    if (this.#beat.run(this.#now(), this.#owner).changes !== 1) {
      this.#held = false;
      throw lockLost(this.#file);
    }
  }

  release(): void {
    this.#stopTimer();
    if (!this.#held) return;
    this.#drop.run(this.#owner);
    this.#held = false;
  }

  #abandoned(holder: LockRow, now: number): boolean {
    if (now - holder.heartbeat_ms > this.#staleMs) return true;
    // Misjudged only by two hosts (or containers) that share a name but not their pids.
    return holder.hostname === this.#host && !isAlive(holder.pid);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}
