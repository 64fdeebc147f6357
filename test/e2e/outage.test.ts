/**
 * A night without network: the API cannot be reached at all (a closed port),
 * then it comes back. No task was created, so nothing was billed: the jobs
 * stay queued, the run says it could not reach the API (exit 3), and the next
 * run carries on without --retry-failed.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { ALL_DONE, jobOutcomes, manifestText, statusRows, useWorkspace } from "./e2e-helpers.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("an API that cannot be reached for the whole retry window", () => {
  it("leaves every job queued, exits 3 saying so, and the next run renders them all", async () => {
    const ws = await useWorkspace({}, manifestText(3));
    const port = await closedPort();

    const night = await ws.run(["--retry-window", "1"], { EVOLINK_BASE_URL: `http://127.0.0.1:${port}` }).result;

    expect(night.code, night.stderr).toBe(3);
    expect(night.stderr).toMatch(
      /^shotlist: could not reach the API: no task was created for the jobs left, which stay queued \(nothing was billed for them\); run again to carry on \(last: .*ECONNREFUSED/m,
    );
    expect(night.stderr).not.toMatch(/\n\s+at /);
    expect((await statusRows(ws)).map((r) => r.state)).toEqual(["queued", "queued", "queued"]);
    // One line for the outage, not one per retried create of each job.
    expect(night.stderr.match(/^\S+ API unreachable: .*ECONNREFUSED.*; creates are retried for up to 1 s \(--retry-window\)$/gm)).toHaveLength(1);
    expect(night.stderr).not.toContain("create-transient");

    const morning = await ws.run().result;

    expect(morning.code, morning.stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
  });
});

describe("an EVOLINK_BASE_URL that would not work", () => {
  it.each([
    ["api.evolink.ai", "must be a URL such as https://api.evolink.ai"],
    ["http://api.evolink.ai", "plain http to api.evolink.ai, which would send the API key in clear text"],
  ])("refuses %s before anything is sent, as a usage error", async (baseUrl, said) => {
    const ws = await useWorkspace({}, manifestText(1));

    const run = await ws.run([], { EVOLINK_BASE_URL: baseUrl }).result;

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(said);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(ws.sim.ledger.creates).toHaveLength(0);
  });
});
