import { describe, expect, it } from "vitest";
import { Pace } from "../../src/runner/pace.js";

const INTERVAL = 5000;

/** A task created at 0 with an estimate, read running at `readAt` with `progress`, seen done at `doneAt` (its duration learnt as their midpoint). */
function finish(pace: Pace, key: string, estimateS: number, read: { at: number; progress: number }, doneAt: number): void {
  pace.started(key, 0, estimateS);
  pace.running(key, read.at, read.progress, INTERVAL);
  pace.finished(key, doneAt);
}

describe("the learnt poll pace", () => {
  it("reads a task first at 0.6x its estimate, and then, until a task has finished, as if its progress were linear", () => {
    const pace = new Pace();
    pace.started("a", 0, 10);
    expect(pace.firstReadDelay("a")).toBe(6000);
    // Progress 40 at 6 s: a 15 s task, so 9 s left, read 3 % of 15 s after the end.
    expect(pace.running("a", 6000, 40, INTERVAL)).toBe(9000 + 450);
  });

  it("leaves a task whose progress says nothing yet to the fixed interval", () => {
    const pace = new Pace();
    pace.started("a", 0, 10);
    expect(pace.running("a", 6000, 0, INTERVAL)).toBeUndefined();
  });

  it("leaves a task the API gave no estimate for to the fixed rule", () => {
    const pace = new Pace();
    pace.started("a", 0, undefined);
    expect(pace.firstReadDelay("a")).toBeUndefined();
  });

  it("aims a first read just before the fastest tenth of earlier tasks, against their estimates, ended", () => {
    const pace = new Pace();
    // Real durations 0.6x to 1.5x a 10 s estimate.
    [6, 7, 8, 9, 10, 11, 12, 13, 14, 15].forEach((s, i) => finish(pace, `t${i}`, 10, { at: s * 1000, progress: 90 }, s * 1000));
    pace.started("new", 0, 20);
    expect(pace.firstReadDelay("new")).toBe(Math.round(0.9 * 0.7 * 20_000));
  });

  it("puts the next read just after the end a progress reading predicts from earlier tasks' progress", () => {
    const pace = new Pace();
    // Progress 50 came a quarter of the way through a 10 s task.
    finish(pace, "earlier", 10, { at: 2500, progress: 50 }, 17_500);
    pace.started("now", 0, 10);
    // Progress 50 at 3 s: a 12 s task, so 9 s left, read 3 % of 12 s after the end.
    expect(pace.running("now", 3000, 50, INTERVAL)).toBe(9000 + 360);
  });

  it("learns nothing from a task seen done at its first read: its duration is only bounded above", () => {
    const pace = new Pace();
    pace.started("quick", 0, 10);
    pace.finished("quick", 30_000);
    pace.started("next", 0, 10);
    expect(pace.firstReadDelay("next")).toBe(6000);
  });

  it("never waits more than four intervals on one prediction, nor reads again within a tenth of one", () => {
    const pace = new Pace();
    finish(pace, "earlier", 100, { at: 1000, progress: 1 }, 199_000);
    pace.started("slow", 0, 100);
    expect(pace.running("slow", 1000, 1, INTERVAL)).toBe(4 * INTERVAL);
    const near = new Pace();
    finish(near, "late", 10, { at: 10_000, progress: 99 }, 10_000);
    near.started("stuck", 0, 10);
    expect(near.running("stuck", 10_000, 99, INTERVAL)).toBe(INTERVAL / 10);
  });
});
