import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

describe("shotlist pick and --approved", () => {
  it("records decisions from the command line; plan --approved counts only the approved shots and lists the others", async () => {
    const ws = await useWorkspace({}, manifestText(3));
    const pick = await runCli(["pick", ws.manifest, "s01=approve", "s02=reject"], { cwd: ws.dir });
    expect(pick.code, pick.stderr).toBe(0);
    expect(pick.stdout).toContain("s01: approved\ns02: rejected\nsaved:");
    expect(await readFile(`${ws.manifest}.picks.yaml`, "utf8")).toMatch(
      /s01:\n {4}decision: approved\n {4}shot: [0-9a-f]{16}\n {2}s02:\n {4}decision: rejected/,
    );

    const plan = await runCli(["plan", ws.manifest, "--approved"], { cwd: ws.dir });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("e2e: 1 job from 1 shot; 4 s of video");
    expect(plan.stdout).toContain("not approved, left out: s02 (rejected), s03 (to review)");
  });

  it("shows a decision as stale once the shot changed, and does not apply it", async () => {
    const ws = await useWorkspace({}, manifestText(2));
    expect((await runCli(["pick", ws.manifest, "s01=approve", "s02=approve"], { cwd: ws.dir })).code).toBe(0);
    await ws.writeManifest(manifestText(2, { 1: "Shot 2, rewritten: a lighthouse at dawn" }));
    const plan = await runCli(["plan", ws.manifest, "--approved", "--json"], { cwd: ws.dir });
    const json = JSON.parse(plan.stdout) as { jobs: { shot: string }[]; unapproved: unknown };
    expect(json.jobs.map((j) => j.shot)).toEqual(["s01"]);
    expect(json.unapproved).toEqual([{ shot: "s02", reason: "stale" }]);
  });

  it("refuses a shot the manifest lacks and a take the shot does not have, writing nothing", async () => {
    const ws = await useWorkspace({}, manifestText(1));
    const unknown = await runCli(["pick", ws.manifest, "s09=approve"], { cwd: ws.dir });
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, `shotlist: no shot "s09" in ${ws.manifest}`]);
    const take = await runCli(["pick", ws.manifest, "s01=3"], { cwd: ws.dir });
    expect([take.code, take.stderr.trim()]).toEqual([2, "shotlist: shot s01 has 1 take, not a take 3"]);
    await expect(readFile(`${ws.manifest}.picks.yaml`)).rejects.toThrow(/ENOENT/);
  });

  it("run --approved with nothing approved sends nothing and says what to do", async () => {
    const ws = await useWorkspace({}, manifestText(1));
    const run = await ws.run(["--approved"]).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is approved in");
    expect(ws.sim.ledger.creates).toEqual([]);
  });
});
