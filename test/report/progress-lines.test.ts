import { describe, expect, it } from "vitest";
import { stateChangeLine } from "../../src/report/progress-lines.js";
import { makeJobRow } from "../helpers/job-rows.js";

describe("a state change as a log line", () => {
  it("says why a job failed, in the API's words, at the moment it fails", () => {
    const job = makeJobRow({
      shot_id: "s02",
      state: "failed",
      task_id: "t-2",
      error_class: "invalid",
      error_code: "invalid_parameter",
      error_message: 'quality must be one of 480p, 720p, got "1080P"',
    });

    expect(stateChangeLine({ job, from: "submitting", to: "failed", reason: "create-invalid", at_ms: 0 })).toBe(
      's02#1 submitting -> failed (task t-2; invalid invalid_parameter; create-invalid): quality must be one of 480p, 720p, got "1080P"',
    );
  });

  it("says why a job became unknown", () => {
    const job = makeJobRow({
      shot_id: "s03",
      state: "unknown",
      error_message: "EvoLink POST /v1/videos/generations got no answer (ambiguous): socket hang up",
    });

    expect(stateChangeLine({ job, from: "submitting", to: "unknown", reason: "create-ambiguous", at_ms: 0 })).toMatch(
      /^s03#1 submitting -> unknown \(create-ambiguous\): EvoLink POST .* socket hang up$/,
    );
  });

  it("keeps a plain move to one line with no error", () => {
    const job = makeJobRow({ shot_id: "s01", state: "generating", task_id: "t-1", error_message: "an old retry's error" });

    expect(stateChangeLine({ job, from: "submitting", to: "generating", reason: "created", at_ms: 0 })).toBe(
      "s01#1 submitting -> generating (task t-1; created)",
    );
  });
});
