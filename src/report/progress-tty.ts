import { clearScreenDown, cursorTo, moveCursor } from "node:readline";
import type { Writable } from "node:stream";
import cliProgress from "cli-progress";
import type { JobState } from "../model/states.js";
import type { Renderer } from "./progress.js";
import { ProgressTally } from "./progress-tally.js";
import { noticeLine, reachableLine, stateChangeLine, unreachableLine } from "./progress-lines.js";
import { jobLabel } from "./job-facts.js";

/** Changes worth a line above the bar; the rest only move the counts. */
const NEWSWORTHY: ReadonlySet<JobState> = new Set(["failed", "expired", "cancelled", "unknown"]);

/** cli-progress hands the ETA over as a string ("0", "NULL", "INF") until it knows a rate: show "?" then. */
const clockOrUnknown: cliProgress.TimeFormatter = (t, options, roundTo) => (typeof t === "number" ? cliProgress.Format.TimeFormat(t, options, roundTo) : "?");

/**
 * A cli-progress bar: jobs finished of total, counts by state, elapsed time
 * and ETA. Failures and notices are logged above it.
 *
 *   ████████░░░░ 7/12 finished | 1 waiting, 3 generating, 6 done, 1 failed | 2m10s elapsed, ETA 1m30s
 */
export function ttyRenderer(stream: Writable): Renderer {
  const tally = new ProgressTally();
  const labels = new Map<string, string>();
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      format: "{bar} {value}/{total} finished | {counts} | {duration_formatted} elapsed, ETA {eta_formatted}",
      barsize: 24,
      hideCursor: false,
      // The CLI owns SIGINT (the first one drains): the bar must keep drawing meanwhile.
      gracefulExit: false,
      formatTime: clockOrUnknown,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let shown = -1;
  let endedOnItsOwn = false;

  const redraw = (): void => {
    if (bar === undefined) return;
    bar.setTotal(tally.total);
    const payload = { counts: tally.describe() };
    // The ETA is the rate of recent value moves: samples of an unchanged value would read as a stall.
    if (tally.finished === shown) {
      bar.update(payload);
    } else {
      shown = tally.finished;
      bar.update(shown, payload);
    }
  };
  // Lines wait in cli-progress's buffer until the next frame; before the bar exists, write them straight.
  const log = (text: string): void => {
    if (multibar.isActive) multibar.log(`${text}\n`);
    else stream.write(`${text}\n`);
  };

  return {
    handlers: {
      "run:start": (e) => {
        tally.start(e.total, e.alreadyDone);
        bar ??= multibar.create(tally.total, tally.finished, { counts: tally.describe() });
        redraw();
      },
      "job:state": (e) => {
        labels.set(e.job.key, jobLabel(e.job));
        tally.move(e.job.key, e.from, e.to);
        if (NEWSWORTHY.has(e.to)) log(stateChangeLine(e));
        redraw();
      },
      "run:notice": (e) => log(noticeLine(e, (key) => labels.get(key) ?? key)),
      "api:unreachable": (e) => log(unreachableLine(e)),
      "api:reachable": (e) => log(reachableLine(e)),
      "run:end": (e) => {
        endedOnItsOwn = !e.interrupted;
        tally.settle(e.jobs);
        redraw();
      },
    },
    close() {
      // One last frame flushes logged lines, then stop leaves the final bar on screen, and a newline.
      if (multibar.isActive) multibar.update();
      if (bar === undefined) return;
      multibar.stop();
      if (!endedOnItsOwn) {
        moveCursor(stream, 0, -1);
        cursorTo(stream, 0);
        clearScreenDown(stream);
      }
    },
  };
}
