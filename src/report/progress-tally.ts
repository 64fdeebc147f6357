import { FINAL_STATES, type JobState } from "../model/states.js";
import type { JobRow } from "../model/rows.js";
import { countByState, formatStateCounts } from "./state-counts.js";

/**
 * Where the jobs of a run stand, rebuilt from events alone. `run:start` gives
 * only a total and how many were done before; a job's state becomes known at
 * its first change, so until then it counts as "waiting". `run:end` brings
 * every row and makes the tally exact.
 */
export class ProgressTally {
  #total = 0;
  #doneBefore = 0;
  #waiting = 0;
  readonly #states = new Map<string, JobState>();

  start(total: number, alreadyDone: number): void {
    this.#total = total;
    this.#doneBefore = alreadyDone;
    this.#waiting = Math.max(0, total - alreadyDone);
    this.#states.clear();
  }

  move(key: string, from: JobState, to: JobState): void {
    if (!this.#states.has(key)) {
      // First sighting: the job leaves the pool it was counted in before the run.
      if (from === "done") this.#doneBefore = Math.max(0, this.#doneBefore - 1);
      else this.#waiting = Math.max(0, this.#waiting - 1);
    }
    this.#states.set(key, to);
  }

  settle(jobs: readonly JobRow[]): void {
    this.start(jobs.length, 0);
    this.#waiting = 0;
    for (const job of jobs) this.#states.set(job.key, job.state);
  }

  get total(): number {
    return this.#total;
  }

  /** Jobs needing no more work this run: the bar's value. */
  get finished(): number {
    let finished = this.#doneBefore;
    for (const state of this.#states.values()) if (FINAL_STATES.has(state)) finished += 1;
    return finished;
  }

  /** "3 waiting, 2 queued, 4 generating, 5 done, 1 failed". */
  describe(): string {
    const counts = countByState([...this.#states.values()].map((state) => ({ state })));
    counts.done += this.#doneBefore;
    const known = formatStateCounts(counts);
    const waiting = this.#waiting > 0 ? `${this.#waiting} waiting` : "";
    return [waiting, known].filter((part) => part !== "").join(", ") || "no jobs";
  }
}
