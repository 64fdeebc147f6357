/**
 * Timing rules as pure functions of (attempt, options) -> ms.
 *
 * Polling follows the API's advice (about every 5 s), starting near the
 * task's own estimate so a 2-minute render is not polled 24 times. Jitter
 * keeps a batch's polls from marching in lockstep.
 */

/** Delay before the first poll of a fresh task. */
export function firstPollDelay(estimatedTimeS: number | undefined, intervalMs: number, random: () => number): number {
  const estimateMs = estimatedTimeS !== undefined && Number.isFinite(estimatedTimeS) && estimatedTimeS > 0 ? estimatedTimeS * 1000 : 0;
  // Poll a little before the estimate: progress is not an ETA, and early finishers should not wait a whole estimate.
  const base = Math.max(intervalMs, Math.min(estimateMs * 0.9, 10 * 60_000));
  return jitter(base, random);
}

/** Delay between later polls of the same task. */
export function nextPollDelay(intervalMs: number, random: () => number): number {
  return jitter(intervalMs, random);
}

/** ±10 %: enough to spread a batch, small enough to keep polls per task near the minimum. */
function jitter(ms: number, random: () => number): number {
  return Math.round(ms * (0.9 + 0.2 * random()));
}

/**
 * Additive-increase, multiplicative-decrease limit on tasks in flight:
 * a 429 halves it (never below 1), each accepted create adds one back
 * (never above the configured maximum).
 */
export function adjustLimit(current: number, max: number, event: "accepted" | "rate_limited"): number {
  return event === "rate_limited" ? Math.max(1, Math.floor(current / 2)) : Math.min(max, current + 1);
}
