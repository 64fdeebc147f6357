import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { DEFAULT_LOCK_STALE_MS } from "../../src/store/index.js";
import { manualClock, openTestStore, tempStatePath, withRawDatabase } from "./helpers.js";

/** Leaves a lock row as a runner that never released it would have. */
function seedLock(path: string, holder: { pid: number; hostname: string; heartbeat_ms: number }): void {
  withRawDatabase(path, (db) =>
    db
      .prepare("INSERT INTO lock (id, owner, pid, hostname, acquired_at_ms, heartbeat_ms) VALUES (1, ?, ?, ?, ?, ?)")
      .run(`${holder.pid}@${holder.hostname}#seeded`, holder.pid, holder.hostname, holder.heartbeat_ms, holder.heartbeat_ms),
  );
}

function lockOwner(path: string): string | undefined {
  return withRawDatabase(path, (db) => db.prepare("SELECT owner FROM lock").pluck().get() as string | undefined);
}

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("could not start a child process");
  return child.pid;
}

describe("the runner lock", () => {
  it("refuses a second runner while the first one lives, saying who holds it and since when", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path, { now: clock.now }).acquireLock();

    const second = openTestStore(path, { now: clock.now });

    expect(() => second.acquireLock()).toThrow(
      expect.objectContaining({
        code: "state_locked",
        message: expect.stringContaining(`in use by shotlist pid ${process.pid} on ${hostname()} since 2026-11-23T09:00:00.000Z`),
      }),
    );
    expect(second.lockHeld).toBe(false);
  });

  it("lets the next runner in once the first one closed", () => {
    const path = tempStatePath();
    const first = openTestStore(path);
    first.acquireLock();
    first.close();

    const second = openTestStore(path);
    second.acquireLock();

    expect(second.lockHeld).toBe(true);
  });

  it("takes over a lock left by a process on this host that has died", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: deadPid(), hostname: hostname(), heartbeat_ms: clock.now() });

    const store = openTestStore(path, { now: clock.now });
    store.acquireLock();

    expect(lockOwner(path)).toMatch(new RegExp(`^${process.pid}@`));
  });

  it("waits for a fresh heartbeat from another host, whose pid it cannot check", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: 4242, hostname: "render-box-2", heartbeat_ms: clock.now() - 5_000 });

    const store = openTestStore(path, { now: clock.now });

    expect(() => store.acquireLock()).toThrow("pid 4242 on render-box-2");
  });

  it("takes over a lock whose heartbeat is older than lockStaleMs", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: 4242, hostname: "render-box-2", heartbeat_ms: clock.now() - DEFAULT_LOCK_STALE_MS - 1 });

    const store = openTestStore(path, { now: clock.now });
    store.acquireLock();

    expect(store.lockHeld).toBe(true);
  });

  it("keeps the lock alive with heartbeats", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.acquireLock();
    clock.advance(8_000);
    first.heartbeat();
    clock.advance(8_000);

    const second = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });

    expect(() => second.acquireLock()).toThrow(expect.objectContaining({ code: "state_locked" }));
  });

  it("refuses a heartbeat from a store that never took the lock", () => {
    const store = openTestStore(tempStatePath());

    expect(() => store.heartbeat()).toThrow(expect.objectContaining({ code: "internal", message: expect.stringContaining("acquireLock()") }));
  });

  it("tells a runner that missed its heartbeats that the lock was taken over", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.acquireLock();
    clock.advance(10_001);
    openTestStore(path, { now: clock.now, lockStaleMs: 10_000 }).acquireLock();

    expect(() => first.heartbeat()).toThrow(
      expect.objectContaining({ code: "state_locked", message: expect.stringContaining("Lost the lock") }),
    );
    expect(first.lockHeld).toBe(false);
  });

  it("releases the lock on close, but not one another runner took over", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.acquireLock();
    clock.advance(10_001);
    const second = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    second.acquireLock();

    first.close();

    expect(lockOwner(path)).toBeDefined();
    second.close();
    expect(lockOwner(path)).toBeUndefined();
  });
});
