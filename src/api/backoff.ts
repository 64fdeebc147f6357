/**
 * Exponential backoff with full jitter, as a pure function of the attempt.
 *
 * The ceiling doubles with each attempt up to `capMs`; the delay is drawn
 * uniformly from [0, ceiling). Full jitter spreads a batch of shots that all
 * failed at once (a 503 burst) instead of bringing them back in lockstep.
 *
 * With `baseMs: 1000, capMs: 60000`:
 *
 * | attempt | ceiling  | delay range     |
 * |---------|----------|-----------------|
 * | 1       | 1 s      | 0 – 1 s         |
 * | 2       | 2 s      | 0 – 2 s         |
 * | 3       | 4 s      | 0 – 4 s         |
 * | 4       | 8 s      | 0 – 8 s         |
 * | 5       | 16 s     | 0 – 16 s        |
 * | 6       | 32 s     | 0 – 32 s        |
 * | 7+      | 60 s     | 0 – 60 s (cap)  |
 *
 * @param attempt 1 for the first retry, 2 for the second, ...
 * @param options.random source of [0, 1) numbers; injectable so tests are exact. @default Math.random
 */
export function backoffDelay(attempt: number, options: { baseMs: number; capMs: number; random?: () => number }): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`Expected \`attempt\` to be an integer from 1 and up, got \`${attempt}\` (${typeof attempt})`);
  }
  const random = options.random ?? Math.random;
  // 2 ** 1100 is Infinity, which Math.min turns into the cap: no overflow guard needed.
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
