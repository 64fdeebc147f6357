import type { Batch, Mode } from "./job.js";
import { counted } from "../text.js";

/** What a batch asks for, in the units the bill scales with. */
export interface BatchTotals {
  shots: number;
  jobs: number;
  /** Seconds of video over all jobs. */
  seconds: number;
  jobsWithAudio: number;
  /** Seconds of video rendered with audio (audio adds cost). */
  secondsWithAudio: number;
  /** Jobs per mode, only the modes that occur. */
  byMode: Partial<Record<Mode, number>>;
}

export function totalsOf(batch: Batch): BatchTotals {
  const totals: BatchTotals = {
    shots: new Set(batch.jobs.map((j) => j.shotId)).size,
    jobs: batch.jobs.length,
    seconds: 0,
    jobsWithAudio: 0,
    secondsWithAudio: 0,
    byMode: {},
  };
  for (const { request, mode } of batch.jobs) {
    totals.seconds += request.duration;
    if (request.generate_audio) {
      totals.jobsWithAudio += 1;
      totals.secondsWithAudio += request.duration;
    }
    totals.byMode[mode] = (totals.byMode[mode] ?? 0) + 1;
  }
  return totals;
}

/** One line, e.g. `trailer: 3 shots, 4 jobs (takes included), 20 s of video, 2 with audio (10 s); text-to-video 1, first-last-frame 2`. */
export function summaryLine(batch: Batch): string {
  const t = totalsOf(batch);
  const profile = batch.profile === null ? "" : ` (profile ${batch.profile})`;
  const modes = Object.entries(t.byMode)
    .map(([mode, n]) => `${mode} ${n}`)
    .join(", ");
  return `${batch.name}${profile}: ${counted(t.shots, "shot")}, ${counted(t.jobs, "job")} (takes included), ${t.seconds} s of video, ${t.jobsWithAudio} with audio (${t.secondsWithAudio} s); ${modes}`;
}
