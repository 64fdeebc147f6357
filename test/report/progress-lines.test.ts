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
      's02#1 failed: quality must be one of 480p, 720p, got "1080P" (task t-2; invalid_parameter; not resent as is)',
    );
  });

  it("tells to reword the prompt when the content policy refused it", () => {
    const job = makeJobRow({
      shot_id: "s04",
      state: "failed",
      task_id: "t-4",
      error_class: "policy",
      error_code: "content_policy_violation",
      error_message: "the prompt was refused",
    });

    expect(stateChangeLine({ job, from: "generating", to: "failed", reason: "failed", at_ms: 0 })).toBe(
      "s04#1 failed: the prompt was refused (task t-4; content_policy_violation; reword the prompt or change the input; not resent as is)",
    );
  });

  it("names the --retry-failed class that sends a failure of another kind again", () => {
    const job = makeJobRow({ shot_id: "s05", state: "failed", error_class: "timeout", error_message: "the task did not finish within 600 s (--task-timeout)" });

    expect(stateChangeLine({ job, from: "generating", to: "failed", reason: "timeout", at_ms: 0 })).toBe(
      "s05#1 failed: the task did not finish within 600 s (--task-timeout) (timeout; --retry-failed=timeout sends it again)",
    );
  });

  it("shows an API message's control characters as U+FFFD", () => {
    const job = makeJobRow({ shot_id: "s06", state: "failed", error_class: "invalid", error_message: "bad\u001b[2Jvalue" });

    expect(stateChangeLine({ job, from: "submitting", to: "failed", at_ms: 0 })).toBe("s06#1 failed: bad\ufffd[2Jvalue (invalid; not resent as is)");
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
