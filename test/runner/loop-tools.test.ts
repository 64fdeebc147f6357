import { describe, expect, it } from "vitest";
import { KeyQueue, Timers, Wake } from "../../src/runner/loop-tools.js";

describe("KeyQueue", () => {
  it("hands keys out in the order they came, across compaction", () => {
    const queue = new KeyQueue();
    for (let i = 0; i < 5000; i++) queue.push(`k${i}`);
    const out: string[] = [];
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) out.push(key);
    expect(out).toHaveLength(5000);
    expect(out[0]).toBe("k0");
    expect(out[4999]).toBe("k4999");
    expect(queue.size).toBe(0);
  });
});

describe("Timers", () => {
  it("releases only the keys whose time has come", () => {
    const timers = new Timers();
    timers.add("submit", "a", 100);
    timers.add("submit", "b", 200);
    expect(timers.nextDue()).toBe(100);
    expect(timers.takeDue("submit", 150)).toEqual(["a"]);
    expect(timers.has("submit")).toBe(true);
    expect(timers.takeDue("submit", 250)).toEqual(["b"]);
    expect(timers.has("submit")).toBe(false);
  });
});

describe("Wake", () => {
  it("returns at once when notified before waiting", async () => {
    const wake = new Wake();
    wake.notify();
    await wake.wait(60_000);
  });

  it("returns when notified while waiting", async () => {
    const wake = new Wake();
    const waiting = wake.wait(60_000);
    wake.notify();
    await waiting;
  });
});
