import type { Writable } from "node:stream";
import type { Renderer } from "./progress.js";
import { isoSeconds, noticeLine, stateChangeLine } from "./progress-lines.js";
import { jobLabel } from "./job-facts.js";

/**
 * One line per state change or notice, each stamped with the event's time;
 * poll progress is left out, so a log grows with what changed, not with time.
 *
 *   2026-11-23T09:12:00Z run start: batch noir (profile draft), 12 jobs, 3 already done
 *   2026-11-23T09:12:01Z s02-detective#1 generating -> completed (task task-unified-...)
 *   2026-11-23T09:12:05Z notice: slowing down after 429
 *   2026-11-23T09:20:41Z run end: 12 jobs
 */
export function plainRenderer(stream: Writable): Renderer {
  // Notices carry only a job key; name the job as the state lines do once it has been seen.
  const labels = new Map<string, string>();
  // A turn of the runner's loop can move hundreds of jobs: their lines leave in one write at the
  // end of the turn, not one write (a syscall, for a log file) each.
  let pending = "";
  const flush = (): void => {
    if (pending === "") return;
    stream.write(pending);
    pending = "";
  };
  const line = (atMs: number, text: string): void => {
    if (pending === "") setImmediate(flush);
    pending += `${isoSeconds(atMs)} ${text}\n`;
  };

  return {
    handlers: {
      "run:start": (e) => {
        const profile = e.profile === "" ? "" : ` (profile ${e.profile})`;
        line(e.at_ms, `run start: batch ${e.batch}${profile}, ${e.total} jobs, ${e.alreadyDone} already done`);
      },
      "job:state": (e) => {
        labels.set(e.job.key, jobLabel(e.job));
        line(e.at_ms, stateChangeLine(e));
      },
      "run:notice": (e) =>
        line(
          e.at_ms,
          noticeLine(e, (key) => labels.get(key) ?? key),
        ),
      "run:end": (e) => line(e.at_ms, `run ${e.interrupted ? "interrupted" : "end"}: ${e.jobs.length} jobs`),
    },
    close: flush,
  };
}
