import { describe, expect, it } from "vitest";
import { formatStatusTable } from "../../src/report/status-table.js";
import { makeDoneRow, makeJobRow } from "../helpers/job-rows.js";

describe("formatStatusTable", () => {
  it("aligns one row per job under a header, then a counts line", () => {
    const rows = [
      makeDoneRow(1, 1_000, { shot_id: "s01-opening", output_path: "s01-opening_1.mp4" }),
      makeJobRow({ key: "g", shot_id: "s02-detective", state: "generating", task_id: "task-2", attempts: 1, progress: 40 }),
      makeJobRow({
        key: "f",
        shot_id: "s03",
        take: 2,
        state: "failed",
        task_id: "task-3",
        attempts: 2,
        error_class: "policy",
        error_code: "content_policy_violation",
      }),
    ];
    expect(formatStatusTable(rows)).toBe(
      [
        "shot           take  state       task id  attempts  progress  error                            file",
        "s01-opening    1     done        task-1   1         -         -                                s01-opening_1.mp4",
        "s02-detective  1     generating  task-2   1         40%       -                                -",
        "s03            2     failed      task-3   2         -         policy content_policy_violation  -",
        "",
        "3 jobs: 1 generating, 1 done, 1 failed",
      ].join("\n"),
    );
  });

  it("says so when there are no jobs", () => {
    expect(formatStatusTable([])).toBe("No jobs.");
  });
});
