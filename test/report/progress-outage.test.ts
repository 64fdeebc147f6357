import { describe, expect, it } from "vitest";
import { outputOf, playOutage } from "./progress-events.js";

const UNREACHABLE = "API unreachable: getaddrinfo ENOTFOUND api.evolink.ai; creates are retried for up to 300 s (--retry-window)";
const INVALID = 's02#1 failed: quality must be one of 480p, 720p, got "1080P" (invalid_parameter; not resent as is)';

describe("plain progress while the API cannot be reached", () => {
  it("says so in one line, gives the retried creates none, and says when it answers again", async () => {
    expect((await outputOf("plain", playOutage)).split("\n")).toEqual([
      "2026-11-23T09:12:00Z run start: batch night, 2 jobs, 0 already done",
      "2026-11-23T09:12:01Z s01#1 queued -> submitting (submit)",
      "2026-11-23T09:12:01Z s02#1 queued -> submitting (submit)",
      `2026-11-23T09:12:01Z ${UNREACHABLE}`,
      "2026-11-23T09:13:02Z API reachable again after 61 s",
      "2026-11-23T09:13:02Z s01#1 submitting -> generating (task task-1; created)",
      `2026-11-23T09:13:02Z ${INVALID}`,
      "2026-11-23T09:13:03Z run end: 2 jobs",
      "",
    ]);
  });
});

describe("tty progress while the API cannot be reached", () => {
  it("logs the outage once above the bar, its end, and the failure with the API's message", async () => {
    const output = await outputOf("tty", playOutage);

    expect(output.split(UNREACHABLE)).toHaveLength(2);
    expect(output).toContain("API reachable again after 61 s");
    expect(output).toContain(INVALID);
    expect(output).not.toContain("create-transient");
  });
});

describe("json progress while the API cannot be reached", () => {
  it("writes the outage and its end as their own events, and keeps every move", async () => {
    const objects = (await outputOf("json", playOutage))
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(objects.filter((o) => o["event"] === "api:unreachable")).toEqual([
      {
        schema_version: 2,
        event: "api:unreachable",
        at: "2026-11-23T09:12:01.000Z",
        message: "getaddrinfo ENOTFOUND api.evolink.ai",
        retry_window_ms: 300_000,
      },
    ]);
    expect(objects.filter((o) => o["event"] === "api:reachable")).toEqual([
      { schema_version: 2, event: "api:reachable", at: "2026-11-23T09:13:02.000Z", unreachable_ms: 61_000 },
    ]);
    expect(objects.filter((o) => o["event"] === "job:state")).toHaveLength(16);
  });
});
