/** `shotlist cancel` through the real CLI, against tasks the simulator still runs. */
import { describe, expect, it } from "vitest";
import { runCli, waitForOutput } from "../helpers/cli.js";
import { manifestText, statusRows, useWorkspace, type Workspace } from "./e2e-helpers.js";

/** A run killed with 3 tasks rendering: its lock is a dead runner's. */
async function killedWithTasksRendering(ws: Workspace): Promise<void> {
  const run = ws.run(["--json"]);
  await waitForOutput(run, /("to":"generating"[^\n]*\n[^]*){3}/);
  run.child.kill("SIGKILL");
  await run.result;
}

const cancel = (ws: Workspace, args: string[] = []) =>
  runCli(["cancel", ws.manifest, ...args], { cwd: ws.dir, env: { EVOLINK_BASE_URL: ws.sim.url, EVOLINK_API_KEY: ws.sim.apiKey } });

describe("cancel", () => {
  it("stops the tasks the simulator still runs and records them cancelled, taking over a dead runner's lock", async () => {
    const ws = await useWorkspace({ genTimeMs: 60_000, jitterMs: 0 }, manifestText(3));
    await killedWithTasksRendering(ws);

    const result = await cancel(ws, ["--only", "s0[12]"]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^cancelled 2: s01#1 task-\S+, s02#1 task-\S+$/m);
    expect((await statusRows(ws)).map((r) => `${r.shot} ${r.state}`)).toEqual(["s01 cancelled", "s02 cancelled", "s03 generating"]);
    expect(ws.sim.ledger.cancels.map((c) => c.status)).toEqual([200, 200]);
    expect(ws.sim.ledger.inFlight[ws.sim.apiKey]).toBe(1);
  });

  it("changes nothing where the API offers no cancel (404), and says so", async () => {
    const ws = await useWorkspace({ genTimeMs: 60_000, jitterMs: 0, taskCancel: false }, manifestText(3));
    await killedWithTasksRendering(ws);

    const result = await cancel(ws);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/the API offers no cancel \(it answered 404 to POST \/v1\/tasks\/\{id\}\/cancel\): nothing was changed/);
    expect((await statusRows(ws)).map((r) => r.state)).toEqual(["generating", "generating", "generating"]);
    expect(ws.sim.ledger.inFlight[ws.sim.apiKey]).toBe(3);
  });

  it("refuses while a live runner holds the state file", async () => {
    const ws = await useWorkspace({ genTimeMs: 60_000, jitterMs: 0 }, manifestText(3));
    const run = ws.run(["--json"]);
    await waitForOutput(run, /"to":"generating"/);

    const result = await cancel(ws);

    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/lock|held|running/i);
    expect(ws.sim.ledger.cancels).toHaveLength(0);
  });
});
