import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jobOutcomes, manifestText, statusRows, useWorkspace, type Workspace } from "./e2e-helpers.js";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
const EDITED = "Shot 2, rewritten: a lighthouse in fog";
/** Each test runs the CLI four to six times, a few seconds each on a loaded machine. */
const SEVERAL_RUNS = { timeout: 120_000 };

/** Runs a manifest (the workspace's own unless given) to the end, expecting every shot done. */
async function runToDone(ws: Workspace, args: string[] = [], manifest?: string): Promise<{ stdout: string; stderr: string }> {
  const run = await ws.run(args, {}, manifest).result;
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** What the simulator was asked for so far. */
function sent(ws: Workspace): { creates: number; downloads: number } {
  return { creates: ws.sim.ledger.creates.length, downloads: ws.sim.ledger.downloads.length };
}

describe("a shot whose prompt comes back after an edit", SEVERAL_RUNS, () => {
  it.each([
    ["a size check", []],
    ["--verify", ["--verify"]],
  ])("gets its first clip back from history/, creating and downloading nothing (%s)", async (_how, args) => {
    const ws = await useWorkspace();
    await runToDone(ws);
    const original = (await statusRows(ws))[1];
    await ws.writeManifest(manifestText(3, { 1: EDITED }));
    await runToDone(ws);
    const edit = (await statusRows(ws))[1];
    await ws.writeManifest(manifestText(3));
    const before = sent(ws);

    const { stdout, stderr } = await runToDone(ws, args);

    expect(stdout).toMatch(/^3 done, 0 failed, 0 expired · /);
    expect(sent(ws)).toEqual(before);
    const shot = join(ws.batchDir, "s02");
    expect(sha256(await readFile(join(shot, "s02_take-01.mp4")))).toBe(ws.sim.expectedSha256(original?.task_id ?? ""));
    expect(JSON.parse(await readFile(join(shot, "s02_take-01.json"), "utf8"))).toMatchObject({ key: original?.key, task_id: original?.task_id });
    expect(await jobOutcomes(ws)).toEqual(["s01 done", "s02 done", "s03 done"]);
    // The edit's render took the first one's place in history/.
    expect(await readdir(join(shot, "history"))).toEqual([`s02_take-01.${edit?.key}.json`, `s02_take-01.${edit?.key}.mp4`]);
    expect(sha256(await readFile(join(shot, "history", `s02_take-01.${edit?.key}.mp4`)))).toBe(ws.sim.expectedSha256(edit?.task_id ?? ""));
    expect(stderr).toContain(`notice: restored s02 take 1 from ${join("s02", "history", `s02_take-01.${original?.key}.mp4`)}`);
  });

  it("takes turns with the edit, each restored in its turn, with only the first two renders ever made", async () => {
    const ws = await useWorkspace({}, manifestText(1));
    await runToDone(ws);
    await ws.writeManifest(manifestText(1, { 0: EDITED }));
    await runToDone(ws);
    for (const prompts of [{}, { 0: EDITED }, {}]) {
      await ws.writeManifest(manifestText(1, prompts));
      await runToDone(ws);
      expect(await jobOutcomes(ws)).toEqual(["s01 done"]);
    }
    expect(sent(ws)).toEqual({ creates: 2, downloads: 2 });
  });
});

describe("two manifests with the same name on one folder", SEVERAL_RUNS, () => {
  it("warns, naming both manifests, when the batch was last run from the other one, and runs anyway", async () => {
    const ws = await useWorkspace();
    const other = join(ws.dir, "other.yaml");
    await writeFile(other, manifestText(3, { 1: EDITED }));
    await runToDone(ws);
    // The same file by another path (relative to the workspace) is the same manifest.
    expect((await runToDone(ws, [], "shots.yaml")).stderr).not.toContain("warning");

    const switched = await runToDone(ws, [], other);
    expect(switched.stderr).toContain(
      `${other} warning: batch "e2e" was last run from another manifest, shots.yaml (${realpathSync(ws.manifest)}), not ${realpathSync(other)}: running anyway`,
    );
    expect(sent(ws).creates).toBe(4);

    const back = await runToDone(ws);
    expect(back.stderr).toContain(
      `${ws.manifest} warning: batch "e2e" was last run from another manifest, ${other} (${realpathSync(other)}), not ${realpathSync(ws.manifest)}: running anyway`,
    );
    expect(await jobOutcomes(ws)).toEqual(["s01 done", "s02 done", "s03 done"]);
    expect(sent(ws)).toEqual({ creates: 4, downloads: 4 });
  });
});
