import { describe, expect, it } from "vitest";
import { ProgressTally } from "../../src/report/progress-tally.js";
import { makeDoneRow, makeJobRow } from "../helpers/job-rows.js";

describe("ProgressTally", () => {
  it("counts jobs not yet moved this run as waiting and earlier saves as done", () => {
    const tally = new ProgressTally();
    tally.start(5, 2);
    tally.move("a", "queued", "submitting");
    expect(tally.describe()).toBe("2 waiting, 1 submitting, 2 done");
    expect(tally.finished).toBe(2);
  });

  it("counts final states as finished, whatever the outcome", () => {
    const tally = new ProgressTally();
    tally.start(3, 0);
    tally.move("a", "generating", "failed");
    tally.move("b", "completed", "done");
    expect(tally.finished).toBe(2);
  });

  it("moves a job saved before the run out of done when its file is fetched again", () => {
    const tally = new ProgressTally();
    tally.start(2, 2);
    tally.move("a", "done", "completed");
    expect(tally.describe()).toBe("1 completed, 1 done");
    expect(tally.finished).toBe(1);
  });

  it("becomes exact from the rows at the end of the run", () => {
    const tally = new ProgressTally();
    tally.start(9, 0);
    tally.settle([makeDoneRow(1, 1_000), makeJobRow({ key: "u", state: "unknown" })]);
    expect(tally.describe()).toBe("1 unknown, 1 done");
    expect([tally.finished, tally.total]).toEqual([1, 2]);
  });
});
