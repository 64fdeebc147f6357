import { describe, expect, it } from "vitest";
import { stateChangeLine } from "../../src/report/progress-lines.js";
import { makeJobRow } from "../helpers/job-rows.js";

describe("a state change as a log line", () => {
  it.each([
    [
      "says why a job failed, in the API's words, at the moment it fails",
      { task_id: "t-2", error_class: "invalid", error_code: "invalid_parameter", error_message: 'quality must be one of 480p, 720p, got "1080P"' },
      's02#1 failed: quality must be one of 480p, 720p, got "1080P" (task t-2; invalid_parameter; not resent as is)',
    ],
    [
      "tells to reword the prompt when the content policy refused it",
      { task_id: "t-2", error_class: "policy", error_code: "content_policy_violation", error_message: "the prompt was refused" },
      "s02#1 failed: the prompt was refused (task t-2; content_policy_violation; reword the prompt or change the input; not resent as is)",
    ],
    [
      "names the --retry-failed class that sends a failure of another kind again",
      { error_class: "timeout", error_message: "the task did not finish within 600 s (--task-timeout)" },
      "s02#1 failed: the task did not finish within 600 s (--task-timeout) (timeout; --retry-failed=timeout sends it again)",
    ],
    [
      "shows an API message's control characters as U+FFFD",
      { error_class: "invalid", error_message: "bad\u001b[2Jvalue" },
      "s02#1 failed: bad\ufffd[2Jvalue (invalid; not resent as is)",
    ],
  ] as const)("%s", (_, failure, line) => {
    const job = makeJobRow({ shot_id: "s02", state: "failed", ...failure });

    expect(stateChangeLine({ job, from: "submitting", to: "failed", at_ms: 0 })).toBe(line);
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
