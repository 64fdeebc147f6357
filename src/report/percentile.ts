/**
 * Nearest-rank percentile: the smallest value such that at least p% of the
 * values are at or below it. Always one of the inputs, never interpolated, so
 * "p95 131 s" names a task that really took 131 s.
 *
 *   values 10 20 30 40   p50 -> 20   p95 -> 40   p0 -> 10
 *
 * Returns null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`Expected a percentile from 0 to 100, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}
