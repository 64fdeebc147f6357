/**
 * When to read a task, learnt during the run from the tasks that finished
 * before it. An API's estimate is a guess (off by half either way) and its
 * progress is not linear, so polling at the estimate and then on a fixed
 * interval either reads too early (a GET wasted) or sees the end late (its
 * slot idle). Two things are learnt instead:
 * - how far off the estimates are: each finished task's real duration over
 *   its estimate; a task's first read goes a little before the fastest tenth
 *   of those would end, so nearly every first read finds it running and says
 *   how far along it is (before anything is learnt, at 0.6x the estimate);
 * - what a progress figure means: each reading's share of its task's real
 *   duration, so a later reading predicts the end and the next read goes just
 *   after it.
 * Until a task has finished, a progress figure is read as linear (progress
 * 40 at 4 s: a 10 s task): an API's progress most often runs ahead of its
 * clock, so that guess is early, costs a GET, and the next reading guesses
 * closer; the fixed interval instead saw the first wave's ends up to a whole
 * interval late (the bench: makespan 1.28x at 5 s). A task's real duration is bracketed by its last read that
 * found it running and the first that found it done: the midpoint. A task
 * seen done at its first read teaches nothing, and a first read aimed at
 * the estimate would leave only the slow tasks to learn from (the bench saw
 * the learnt ratio drift to 1.2 that way): hence the early first read.
 * The price is a second GET for most tasks.
 */

/** Samples kept of each kind: the recent past of a long batch, a few KB. */
const MEMORY = 500;
/** The quantile of earlier ratios the first read aims at, and how far before it. */
const FIRST_READ_QUANTILE = 0.1;
const FIRST_READ_LEAD = 0.9;
/** Before any task has finished: the low end of an estimate that may be off by 40 % either way. */
const FIRST_READ_PRIOR = 0.6;
/** Readings of nearest progress a prediction averages. */
const NEIGHBOURS = 5;
/** Read this much after a predicted end (share of the duration, plus a floor), so one read most often sees it done. */
const MARGIN_SHARE = 0.03;
const MARGIN_MIN_MS = 150;

interface Followed {
  startedAt: number;
  /** The API's estimate at create, ms; undefined when it gave none. */
  estimateMs: number | undefined;
  /** Readings that found it running: ms since create, progress. */
  readings: { atMs: number; progress: number }[];
}

export class Pace {
  readonly #followed = new Map<string, Followed>();
  /** Real duration over estimate, of finished tasks. */
  readonly #ratios: number[] = [];
  /** Progress and the share of its task's duration it was read at, of finished tasks. */
  readonly #shares: { progress: number; share: number }[] = [];

  /** A task was created at `now` with this estimate (seconds, as the API gives it). */
  started(key: string, now: number, estimatedTimeS: number | undefined): void {
    const estimateMs = estimatedTimeS !== undefined && Number.isFinite(estimatedTimeS) && estimatedTimeS > 0 ? estimatedTimeS * 1000 : undefined;
    this.#followed.set(key, { startedAt: now, estimateMs, readings: [] });
  }

  /** The delay before a new task's first read, or undefined when the API gave no estimate: the fixed rule applies then. */
  firstReadDelay(key: string): number | undefined {
    const estimate = this.#followed.get(key)?.estimateMs;
    if (estimate === undefined) return undefined;
    const share = this.#ratios.length === 0 ? FIRST_READ_PRIOR : FIRST_READ_LEAD * quantile(this.#ratios, FIRST_READ_QUANTILE);
    return Math.max(MARGIN_MIN_MS, Math.round(estimate * share));
  }

  /**
   * A read at `now` found the task running at `progress`: the delay to the
   * next read, just after the end this reading predicts, or undefined when
   * the progress says nothing (0).
   */
  running(key: string, now: number, progress: number, intervalMs: number): number | undefined {
    const task = this.#followed.get(key);
    if (task === undefined) return undefined;
    const atMs = now - task.startedAt;
    task.readings.push({ atMs, progress });
    if (progress <= 0 || atMs <= 0) return undefined;
    const share = this.#shares.length === 0 ? Math.min(1, progress / 100) : nearestShare(this.#shares, progress);
    const durationMs = atMs / share;
    const delay = durationMs - atMs + Math.max(MARGIN_MIN_MS, MARGIN_SHARE * durationMs);
    // Never a burst of reads on a prediction that keeps missing (a task stuck at 99), never a long blind wait on a wild one.
    return Math.round(Math.min(4 * intervalMs, Math.max(MARGIN_MIN_MS, intervalMs / 10, delay)));
  }

  /** A read at `now` found the task done: learn from it, and forget it. */
  finished(key: string, now: number): void {
    const task = this.#followed.get(key);
    this.#followed.delete(key);
    const last = task?.readings.at(-1);
    // Seen done at its first read: the duration is only bounded above, which would teach that estimates run long.
    if (task === undefined || last === undefined) return;
    const durationMs = (last.atMs + (now - task.startedAt)) / 2;
    if (task.estimateMs !== undefined) remember(this.#ratios, durationMs / task.estimateMs);
    for (const r of task.readings) if (r.progress > 0) remember(this.#shares, { progress: r.progress, share: Math.min(1, r.atMs / durationMs) });
  }

  /** The task ended otherwise (failed, cancelled, given up): forget it, learn nothing. */
  forget(key: string): void {
    this.#followed.delete(key);
  }
}

function remember<T>(list: T[], value: T): void {
  list.push(value);
  if (list.length > MEMORY) list.shift();
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 1;
}

/** The mean share of the NEIGHBOURS readings whose progress is nearest (one pass, no sort: this runs on every read). */
function nearestShare(shares: readonly { progress: number; share: number }[], progress: number): number {
  const nearest: { distance: number; share: number }[] = [];
  for (const s of shares) {
    const distance = Math.abs(s.progress - progress);
    const at = nearest.findIndex((n) => n.distance > distance);
    if (at === -1 && nearest.length >= NEIGHBOURS) continue;
    nearest.splice(at === -1 ? nearest.length : at, 0, { distance, share: s.share });
    if (nearest.length > NEIGHBOURS) nearest.pop();
  }
  const mean = nearest.reduce((sum, s) => sum + s.share, 0) / nearest.length;
  return Math.min(1, Math.max(0.01, mean));
}
