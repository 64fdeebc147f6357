import { describe, expect, it } from "vitest";
import { ManualClock } from "../helpers/manual-clock.js";

describe("the manual clock tests drive the simulator with", () => {
  it("fires what falls due in order of due time, each at its own time, and nothing early", () => {
    const clock = new ManualClock(1_000);
    const fired: [string, number][] = [];
    clock.after(300, () => fired.push(["c", clock.now()]));
    clock.after(100, () => fired.push(["a", clock.now()]));
    clock.after(100, () => fired.push(["b", clock.now()]));
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(201);
    expect(fired).toEqual([
      ["a", 1_100],
      ["b", 1_100],
      ["c", 1_300],
    ]);
    expect(clock.now()).toBe(1_300);
  });

  it("fires a timer set by a firing one if it falls due within the same advance", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const retry = (ms: number): void => {
      clock.after(ms, () => {
        fired.push(clock.now());
        retry(ms * 2);
      });
    };
    retry(1_000);
    clock.advance(7_000);
    expect(fired).toEqual([1_000, 3_000, 7_000]);
    expect(clock.pending).toBe(1);
  });

  it("drops a cancelled timer, and tells a waiting test the delay of the next timer set", async () => {
    const clock = new ManualClock(0);
    const next = clock.nextTimer();
    const cancel = clock.after(50, () => expect.fail("a cancelled timer fired"));
    expect(await next).toBe(50);
    cancel();
    expect(clock.pending).toBe(0);
    clock.advance(100);
  });
});
