import { JOB_STATES, type JobState } from "../model/states.js";
import type { JobRow } from "../model/rows.js";

export type StateCounts = Record<JobState, number>;

function emptyStateCounts(): StateCounts {
  return Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
}

export function countByState(jobs: readonly Pick<JobRow, "state">[]): StateCounts {
  const counts = emptyStateCounts();
  for (const job of jobs) counts[job.state] += 1;
  return counts;
}

/** "8 done, 1 failed, 3 generating": non-zero states only, in life-cycle order. */
export function formatStateCounts(counts: StateCounts): string {
  return JOB_STATES.filter((state) => counts[state] > 0)
    .map((state) => `${counts[state]} ${state}`)
    .join(", ");
}
