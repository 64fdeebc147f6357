import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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
    openTestStore(path, { now: clock.now }).lease.acquire();

    const second = openTestStore(path, { now: clock.now });

    expect(() => second.lease.acquire()).toThrow(
      expect.objectContaining({
        code: "state_locked",
        message: expect.stringContaining(`in use by shotlist pid ${process.pid} on ${hostname()} since 2026-11-23T09:00:00.000Z`),
      }),
    );
    expect(second.lease.held).toBe(false);
  });

  it("lets the next runner in once the first one closed", () => {
    const path = tempStatePath();
    const first = openTestStore(path);
    first.lease.acquire();
    first.close();

    const second = openTestStore(path);
    second.lease.acquire();

    expect(second.lease.held).toBe(true);
  });

  it("takes over a lock left by a process on this host that has died", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: deadPid(), hostname: hostname(), heartbeat_ms: clock.now() });

    const store = openTestStore(path, { now: clock.now });
    store.lease.acquire();

    expect(lockOwner(path)).toMatch(new RegExp(`^${process.pid}@`));
  });

  it("waits for a fresh heartbeat from another host, whose pid it cannot check", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: 4242, hostname: "render-box-2", heartbeat_ms: clock.now() - 5_000 });

    const store = openTestStore(path, { now: clock.now });

    expect(() => store.lease.acquire()).toThrow("pid 4242 on render-box-2");
  });

  it("takes over a lock whose heartbeat is older than lockStaleMs", () => {
    const clock = manualClock();
    const path = tempStatePath();
    openTestStore(path).close();
    seedLock(path, { pid: 4242, hostname: "render-box-2", heartbeat_ms: clock.now() - DEFAULT_LOCK_STALE_MS - 1 });

    const store = openTestStore(path, { now: clock.now });
    store.lease.acquire();

    expect(store.lease.held).toBe(true);
  });

  it("keeps the lock alive with heartbeats", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.lease.acquire();
    clock.advance(8_000);
    first.lease.heartbeat();
    clock.advance(8_000);

    const second = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });

    expect(() => second.lease.acquire()).toThrow(expect.objectContaining({ code: "state_locked" }));
  });

  it("refuses a heartbeat from a store that never took the lock", () => {
    const store = openTestStore(tempStatePath());

    expect(() => store.lease.heartbeat()).toThrow(expect.objectContaining({ code: "internal", message: expect.stringContaining("acquire()") }));
  });

  it("tells a runner that missed its heartbeats that the lock was taken over", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.lease.acquire();
    clock.advance(10_001);
    openTestStore(path, { now: clock.now, lockStaleMs: 10_000 }).lease.acquire();

    expect(() => first.lease.heartbeat()).toThrow(expect.objectContaining({ code: "state_locked", message: expect.stringContaining("Lost the lock") }));
    expect(first.lease.held).toBe(false);
  });

  it("releases the lock on close, but not one another runner took over", () => {
    const clock = manualClock();
    const path = tempStatePath();
    const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    first.lease.acquire();
    clock.advance(10_001);
    const second = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
    second.lease.acquire();

    first.close();

    expect(lockOwner(path)).toBeDefined();
    second.close();
    expect(lockOwner(path)).toBeUndefined();
  });

  describe("the heartbeat's own timer", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Moves the store's clock and its timers together, as time passing would. */
    function passTime(clock: ReturnType<typeof manualClock>, ms: number): void {
      for (let step = 0; step < ms; step += 1_000) {
        clock.advance(1_000);
        vi.advanceTimersByTime(1_000);
      }
    }

    it("keeps the lock alive while the holder does nothing else, so no other runner may take it over", () => {
      const clock = manualClock();
      const path = tempStatePath();
      openTestStore(path, { now: clock.now, lockStaleMs: 10_000 }).lease.acquire();

      passTime(clock, 60_000);

      const second = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
      expect(() => second.lease.acquire()).toThrow(expect.objectContaining({ code: "state_locked" }));
    });

    it("keeps a take-over it finds for check() to throw, and stops beating", () => {
      const clock = manualClock();
      const path = tempStatePath();
      const first = openTestStore(path, { now: clock.now, lockStaleMs: 10_000 });
      first.lease.acquire();
      withRawDatabase(path, (db) => db.prepare("UPDATE lock SET owner = 'someone-else'").run());

      passTime(clock, 5_000);

      expect(() => first.lease.check()).toThrow(expect.objectContaining({ code: "state_locked", message: expect.stringContaining("Lost the lock") }));
      expect(vi.getTimerCount()).toBe(0);
    });

    it("stops when the lock is released", () => {
      const store = openTestStore(tempStatePath());
      store.lease.acquire();

      store.lease.release();

      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
