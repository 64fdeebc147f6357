import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/api/backoff.js";

const options = { baseMs: 1000, capMs: 60_000 };
const almostOne = (): number => 0.999_999;

describe("backoffDelay", () => {
  it.each([
    [1, 999],
    [2, 1999],
    [3, 3999],
    [6, 31_999],
    [7, 59_999],
    [50, 59_999],
    [5000, 59_999], // 2 ** 4999 is Infinity: still the cap
  ])("attempt %i at the top of the jitter -> %i ms", (attempt, ms) => {
    expect(backoffDelay(attempt, { ...options, random: almostOne })).toBe(ms);
  });

  it("draws from the whole range (full jitter)", () => {
    expect(backoffDelay(4, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(4, { ...options, random: () => 0.5 })).toBe(4000);
  });

  it("stays within [0, ceiling) with the default random", () => {
    for (let i = 0; i < 200; i++) {
      const ms = backoffDelay(3, options);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(4000);
    }
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses attempt %s", (attempt) => {
    expect(() => backoffDelay(attempt, options)).toThrow(/Expected `attempt` to be an integer from 1 and up/);
  });
});
