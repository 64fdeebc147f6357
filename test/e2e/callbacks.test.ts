import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/loopback.js";
import { ALL_DONE, jobOutcomes, manifestText, useWorkspace } from "./e2e-helpers.js";

describe("shotlist run --callback-url --listen", () => {
  it("sends the URL with every create, takes the callbacks at --listen and reads each task about once, warning that the URL is not https", async () => {
    const ws = await useWorkspace({ allowHttpCallbacks: true }, manifestText(4));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/e2e`;
    // Polls every 3 s: a 0.3 s task is read once the callback says it ended, long before its first poll.
    const { code, stderr } = await ws.run(["--callback-url", url, "--listen", `127.0.0.1:${port}`, "--poll-interval", "3"]).result;
    expect(code, stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(4));
    expect(stderr).toContain(`--callback-url warning: ${url} must be an https URL`);
    const { creates, callbacks, polls } = ws.sim.ledger;
    expect(creates.map((c) => (c.body as { callback_url?: string }).callback_url)).toEqual(Array(4).fill(url));
    expect(callbacks.map((c) => c.attempts.map((a) => a.status))).toEqual(Array(4).fill([204]));
    expect(polls.length / creates.length).toBeLessThanOrEqual(1.2);
  });

  it("refuses --callback-url without --listen, sending nothing", async () => {
    const ws = await useWorkspace();
    const { code, stderr } = await ws.run(["--callback-url", "https://hooks.example.com/x"]).result;
    expect(code).toBe(2);
    expect(stderr).toContain("--callback-url needs --listen HOST:PORT");
    expect(ws.sim.ledger.creates).toEqual([]);
  });
});
