import { describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/commands/run.js";
import { simCommand } from "../../src/cli/commands/sim.js";
import { readOptions } from "../../src/cli/option-table.js";
import { ShotlistError } from "../../src/errors.js";

const runOptions = (given: Record<string, string | boolean>): Record<string, unknown> => readOptions(runCommand.options, given);

describe("the run options table", () => {
  it("fills in every default a run has always had, seconds as milliseconds", () => {
    expect(runOptions({})).toEqual({
      outDir: "./out",
      pollIntervalMs: 5_000,
      maxAttempts: 2,
      requestTimeoutMs: 30_000,
      retryWindowMs: 300_000,
      taskTimeoutMs: 1_800_000,
      downloadConcurrency: 4,
      deliverConcurrency: 4,
      noResubmitUnknown: false,
      rerenderExpired: false,
      verify: false,
      keepUploads: false,
      json: false,
      sim: false,
      approved: false,
    });
  });

  it("polls every second by default against the simulator", () => {
    expect(runOptions({ sim: true })).toMatchObject({ pollIntervalMs: 1_000, sim: true });
  });

  it("reads given values, decimals of seconds included", () => {
    const given = { concurrency: "12", "poll-interval": "0.25", "download-concurrency": "16", state: "s.db", profile: "draft", "retry-failed": "all" };
    expect(runOptions(given)).toMatchObject({
      concurrency: 12,
      pollIntervalMs: 250,
      downloadConcurrency: 16,
      statePath: "s.db",
      profile: "draft",
      retryFailed: "all",
    });
  });

  it.each([
    ["concurrency", "0", '--concurrency expects a whole number from 1 to 10000, got "0"'],
    ["download-concurrency", "65", '--download-concurrency expects a whole number from 1 to 64, got "65"'],
    ["max-attempts", "2.5", '--max-attempts expects a whole number from 1 to 20, got "2.5"'],
    ["poll-interval", "0.01", '--poll-interval expects seconds from 0.05 to 600, got "0.01"'],
    ["request-timeout", "-1", '--request-timeout expects seconds from 0.1 to 600, got "-1"'],
  ])("refuses --%s %s as a usage error that names the range", (flag, value, message) => {
    expect(() => runOptions({ [flag]: value })).toThrow(new ShotlistError("usage", message));
  });
});

describe("the sim options table", () => {
  it("refuses a probability above 1", () => {
    expect(() => readOptions(simCommand.options, { "fault-rate": "1.5" })).toThrow('--fault-rate expects a probability from 0 to 1, got "1.5"');
  });

  it("leaves the port, the in-flight limit and the quota to the simulator when not given", () => {
    const options = readOptions(simCommand.options, {});
    expect(["port", "maxInFlight", "creditQuota", "resultBytes"].filter((name) => name in options)).toEqual([]);
  });
});
