import { describe, expect, it } from "vitest";
import { CALLBACK_SAFETY_POLLS, callbackPollDelay, decideOnCallback } from "../../src/runner/decide.js";
import { REDACTED, redactKeyLike } from "../../src/runner/redact.js";

const INTERVAL = 5_000;
const LONG = CALLBACK_SAFETY_POLLS * INTERVAL;
const NOW = 1_000_000;

describe("when a task whose callback is expected is read next", () => {
  const facts = { intervalMs: INTERVAL, now: NOW, expected: true, arriving: true };

  it.each([
    ["no callback expected (its create carried none, or a callback lied about it)", { ...facts, expected: false, estimateEndMs: NOW + 600_000 }, INTERVAL],
    ["none of the run's callbacks confirmed yet: not before the API's own estimate", { ...facts, arriving: false, estimateEndMs: NOW + 600_000 }, 600_000],
    ["none of the run's callbacks confirmed yet, and no estimate", { ...facts, arriving: false, estimateEndMs: undefined }, INTERVAL],
    ["none of the run's callbacks confirmed yet, past the estimate", { ...facts, arriving: false, estimateEndMs: NOW - 1 }, INTERVAL],
    ["past its estimate: its callback may be lost", { ...facts, estimateEndMs: NOW - 1 }, INTERVAL],
    ["at its estimate", { ...facts, estimateEndMs: NOW }, INTERVAL],
    ["long before its estimate: a safety-net read after twelve intervals", { ...facts, estimateEndMs: NOW + 600_000 }, LONG],
    ["no estimate at all: safety-net reads", { ...facts, estimateEndMs: undefined }, LONG],
    ["its estimate nearer than twelve intervals: read at the estimate", { ...facts, estimateEndMs: NOW + 20_000 }, 20_000],
    ["its estimate nearer than the plain delay: never sooner than plain", { ...facts, estimateEndMs: NOW + 1_000 }, INTERVAL],
  ])("%s", (_, given, expected) => {
    expect(callbackPollDelay(INTERVAL, given)).toBe(expected);
  });
});

describe("what a callback leads to", () => {
  it.each([
    ["a task this run does not follow", { followed: false, status: "completed", seenBefore: false }, "unknown-task"],
    ["a status the API never calls back with", { followed: true, status: "processing", seenBefore: false }, "ignored-status"],
    ["the same task and status again", { followed: true, status: "completed", seenBefore: true }, "repeat"],
    ["a followed task's final status, first time", { followed: true, status: "failed", seenBefore: false }, "read"],
  ])("%s", (_, facts, expected) => {
    expect(decideOnCallback(facts)).toBe(expected);
  });
});

describe("a callback's body as it is logged", () => {
  it("loses every value named like a key and key-shaped text anywhere, and keeps the rest", () => {
    const body = {
      id: "task-unified-1774857405-abc123",
      status: "completed",
      api_key: "anything at all",
      headers: { Authorization: "x", note: "sent with Bearer abc.def and sk-live-0123456789" },
      results: ["https://files.example.com/a.mp4"],
    };
    expect(redactKeyLike(body)).toEqual({
      id: "task-unified-1774857405-abc123",
      status: "completed",
      api_key: REDACTED,
      headers: { Authorization: REDACTED, note: `sent with ${REDACTED} and ${REDACTED}` },
      results: ["https://files.example.com/a.mp4"],
    });
  });
});
