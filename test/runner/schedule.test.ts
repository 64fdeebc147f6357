import { describe, expect, it } from "vitest";
import { adjustLimit, firstPollDelay, nextPollDelay } from "../../src/runner/schedule.js";

const middle = (): number => 0.5;

describe("poll schedule", () => {
  it("first polls at the task's own estimate, spread later by up to a fifth of the interval", () => {
    expect(firstPollDelay(100, 5_000, () => 0)).toBe(100_000);
    expect(firstPollDelay(100, 5_000, () => 1)).toBe(101_000);
  });

  it("never first polls sooner than the interval", () => {
    expect(firstPollDelay(1, 5_000, () => 0)).toBe(5_000);
  });

  it("falls back to the interval when there is no estimate", () => {
    expect(firstPollDelay(undefined, 5_000, middle)).toBe(5_500);
  });

  it("keeps jitter within ten percent of the interval", () => {
    expect(nextPollDelay(5_000, () => 0)).toBe(4_500);
    expect(nextPollDelay(5_000, () => 1)).toBe(5_500);
  });
});

describe("in-flight limit", () => {
  it("halves on a 429 but never below one", () => {
    expect(adjustLimit(8, 8, "rate_limited")).toBe(4);
    expect(adjustLimit(1, 8, "rate_limited")).toBe(1);
  });

  it("grows back by one per accepted create up to the maximum", () => {
    expect(adjustLimit(4, 8, "accepted")).toBe(5);
    expect(adjustLimit(8, 8, "accepted")).toBe(8);
  });
});
