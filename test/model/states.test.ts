import { describe, expect, it } from "vitest";
import { canTransition, FINAL_STATES, JOB_STATES, legalMoves, type JobState } from "../../src/model/states.js";

/** Every move the runner makes, and who makes it: a move added or dropped in the table must be added or dropped here. */
const EXPECTED_MOVES: [JobState, JobState, string][] = [
  ["queued", "submitting", "a create intent"],
  ["submitting", "generating", "the create's answer named a task"],
  ["submitting", "queued", "429 or 5xx: nothing was created"],
  ["submitting", "unknown", "no answer: the task may exist"],
  ["submitting", "failed", "the API refused the request"],
  ["unknown", "submitting", "a resend of the unanswered create"],
  ["unknown", "generating", "a task id from the last run's recovery note"],
  ["generating", "completed", "the task finished with a result"],
  ["generating", "failed", "the task failed, or ran past --task-timeout"],
  ["generating", "cancelled", "the task was cancelled at the API"],
  ["generating", "queued", "a retry-later failure, rendered as a new task"],
  ["completed", "done", "the clip was saved"],
  ["completed", "expired", "the result URL died first"],
  ["completed", "failed", "the result is not a clip"],
  ["done", "completed", "the clip went missing or changed: fetch it again"],
  ["failed", "queued", "--retry-failed"],
  ["expired", "queued", "--rerender-expired"],
  ["cancelled", "queued", "--retry-failed"],
];

function reachableFrom(start: JobState): Set<JobState> {
  const seen = new Set<JobState>([start]);
  for (const state of seen) for (const [from, to] of legalMoves()) if (from === state) seen.add(to);
  return seen;
}

describe("job state transitions", () => {
  it("allows exactly the moves the runner makes", () => {
    expect(legalMoves()).toEqual(EXPECTED_MOVES.map(([from, to]) => [from, to]));
  });

  it("refuses every pair of states the table does not list", () => {
    const legal = new Set(EXPECTED_MOVES.map(([from, to]) => `${from}>${to}`));
    for (const from of JOB_STATES) for (const to of JOB_STATES) expect(canTransition(from, to)).toBe(legal.has(`${from}>${to}`));
  });

  it("reaches every state from queued", () => {
    expect([...reachableFrom("queued")].sort()).toEqual([...JOB_STATES].sort());
  });

  it("can bring every state to a final one", () => {
    for (const state of JOB_STATES) expect([...reachableFrom(state)].some((s) => FINAL_STATES.has(s))).toBe(true);
  });

  it("lets no state move to itself", () => {
    for (const s of JOB_STATES) expect(canTransition(s, s)).toBe(false);
  });
});
