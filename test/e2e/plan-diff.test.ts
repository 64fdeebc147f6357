/** `plan` against the state a run left: what a rerun would send, collect, keep and move to history/. */
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

describe("plan after a run", () => {
  it("says which jobs are unchanged, which would be rendered, and whose clip would move to history/", async () => {
    const ws = await useWorkspace({}, manifestText(3));
    expect((await ws.run().result).code).toBe(0);
    await ws.writeManifest(manifestText(3, { 1: "Shot 2, edited: a lighthouse at dawn" }));

    const plan = await runCli(["plan", ws.manifest], { cwd: ws.dir });

    expect(plan.code, plan.stderr).toBe(0);
    const lines = plan.stdout.split("\n");
    expect(lines.slice(1, 2).map((l) => l.split(/\s{2,}/)[0])).toEqual(["s02"]);
    // Fates are counted in the order the manifest first shows them: s01 unchanged, s02 to render.
    expect(lines.at(-3)).toMatch(
      /^against .*state\.db: 2 unchanged \(done\), 1 to render \(4 s of video, 0 s with audio\), 1 superseded \(its clip moves to history\/\)$/,
    );
  });

  it("lists every job with its fate under --all, and as JSON", async () => {
    const ws = await useWorkspace({}, manifestText(2));
    expect((await ws.run().result).code).toBe(0);
    await ws.writeManifest(manifestText(3));

    const all = await runCli(["plan", ws.manifest, "--all"], { cwd: ws.dir });
    const json = JSON.parse((await runCli(["plan", ws.manifest, "--json"], { cwd: ws.dir })).stdout) as {
      jobs: { shot: string; fate: string }[];
      to_send: { jobs: number };
    };

    expect(
      all.stdout
        .split("\n")
        .slice(1, 4)
        .map((l) =>
          l
            .split(/\s{2,}/)
            .slice(0, 1)
            .concat(l.split(/\s{2,}/).slice(-2, -1)),
        ),
    ).toEqual([
      ["s01", "unchanged"],
      ["s02", "unchanged"],
      ["s03", "render"],
    ]);
    expect(json.jobs.map((j) => [j.shot, j.fate])).toEqual([
      ["s01", "unchanged"],
      ["s02", "unchanged"],
      ["s03", "render"],
    ]);
    expect(json.to_send.jobs).toBe(1);
  });
});
