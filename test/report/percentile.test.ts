import { describe, expect, it } from "vitest";
import { percentile } from "../../src/report/percentile.js";

describe("percentile", () => {
  it("returns null for no values", () => {
    expect(percentile([], 50)).toBeNull();
  });

  it("picks the nearest rank, never interpolating", () => {
    expect(percentile([40, 10, 30, 20], 50)).toBe(20);
    expect(percentile([40, 10, 30, 20], 95)).toBe(40);
  });

  it("treats p0 as the smallest value and p100 as the largest", () => {
    expect(percentile([3, 1, 2], 0)).toBe(1);
    expect(percentile([3, 1, 2], 100)).toBe(3);
  });

  it("gives p95 of twenty values as the nineteenth", () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
  });

  it("returns the only value for every percentile of one", () => {
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 95)).toBe(7);
  });

  it("refuses a percentile outside 0 to 100", () => {
    expect(() => percentile([1], 101)).toThrow("Expected a percentile from 0 to 100, got 101");
  });
});
