import type { Writable } from "node:stream";
import type { Renderer } from "./progress.js";
import type { JobState } from "../model/states.js";
import { isoSeconds, noticeLine, reachableLine, stateChangeLine, unreachableLine } from "./progress-lines.js";
import { jobLabel } from "./job-facts.js";
import { counted } from "../text.js";

/** The moves of a create that is retried: while the API is unreachable they say nothing the outage's line did not. */
const RETRY_MOVES: ReadonlySet<string> = new Set(["queued>submitting", "submitting>queued"] satisfies `${JobState}>${JobState}`[]);

/**
 * One line per state change or notice, each stamped with the event's time;
 * poll progress is left out, so a log grows with what changed, not with time.
 *
 *   2026-11-23T09:12:00Z run start: batch noir (profile draft), 12 jobs, 3 already done
 *   2026-11-23T09:12:01Z s02-detective#1 generating -> completed (task task-unified-...)
 *   2026-11-23T09:12:03Z s03#1 failed: quality must be one of 480p, 720p, got "1080P" (invalid_parameter; not resent as is)
 *   2026-11-23T09:12:05Z notice: slowing down after 429
 *   2026-11-23T09:12:09Z API unreachable: ... ECONNREFUSED ...; creates are retried for up to 300 s (--retry-window)
 *   2026-11-23T09:13:10Z API reachable again after 61 s
 *   2026-11-23T09:20:41Z run end: 12 jobs
 *
 * Between the last two, the creates retried do not each get a line.
 */
export function plainRenderer(stream: Writable): Renderer {
  // Notices carry only a job key; name the job as the state lines do once it has been seen.
  const labels = new Map<string, string>();
  // A turn of the runner's loop can move hundreds of jobs: their lines leave in one write at the
  // end of the turn, not one write (a syscall, for a log file) each.
  let pending = "";
  let unreachable = false;
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
        line(e.at_ms, `run start: batch ${e.batch}${profile}, ${counted(e.total, "job")}, ${e.alreadyDone} already done`);
      },
      "job:state": (e) => {
        labels.set(e.job.key, jobLabel(e.job));
        if (unreachable && RETRY_MOVES.has(`${e.from}>${e.to}`)) return;
        line(e.at_ms, stateChangeLine(e));
      },
      "api:unreachable": (e) => {
        unreachable = true;
        line(e.at_ms, unreachableLine(e));
      },
      "api:reachable": (e) => {
        unreachable = false;
        line(e.at_ms, reachableLine(e));
      },
      "run:notice": (e) =>
        line(
          e.at_ms,
          noticeLine(e, (key) => labels.get(key) ?? key),
        ),
      "run:end": (e) => line(e.at_ms, `run ${e.interrupted ? "interrupted" : "end"}: ${counted(e.jobs.length, "job")}`),
    },
    close: flush,
  };
}
