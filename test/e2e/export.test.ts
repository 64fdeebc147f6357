import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadBatch } from "../../src/manifest/load.js";
import { applyPick, emptyPicks, picksPathFor, shotHashes, writePicks, type PickChange } from "../../src/review/picks.js";
import { runCli } from "../helpers/cli.js";
import { statusRows, useWorkspace, type Workspace } from "./e2e-helpers.js";

const MANIFEST = `version: 1
name: e2e
model: seedance-1.5-pro
defaults: { duration: 4, quality: 480p, generate_audio: false }
shots:
  - id: s01
    prompt: "Wide: a lighthouse at dusk"
    takes: 2
  - id: s02
    prompt: "Tall: the keeper climbs the stairs"
    aspect_ratio: "9:16"
    duration: 6
  - id: s03
    prompt: "Rejected: a gull"
  - id: s04
    prompt: "Not looked at yet"
`;

/** Decisions written as the review would write them, against the shots as they are now. */
async function decide(ws: Workspace, changes: Record<string, PickChange>): Promise<void> {
  const hashes = shotHashes((await loadBatch(ws.manifest, {})).batch);
  let picks = emptyPicks();
  for (const [shot, change] of Object.entries(changes)) picks = applyPick(picks, shot, change, hashes.get(shot) ?? "");
  await writePicks(picksPathFor(ws.manifest), picks);
}

const seconds = (file: string): number =>
  Number(execFileSync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], { encoding: "utf8" }));

// A run, an export and ffmpeg's re-encode: more than the default 30 s when the machine is busy.
const RUN_AND_EXPORT = { timeout: 120_000 };

describe("shotlist export", () => {
  it(
    "exports the approved shots' chosen or first takes in manifest order, lists the others, and joins them into an animatic as long as the selects",
    RUN_AND_EXPORT,
    async () => {
      const ws = await useWorkspace({}, MANIFEST);
      expect((await ws.run().result).code).toBe(0);
      await decide(ws, { s01: { take: 2, profile: null }, s02: { decision: "approved" }, s03: { decision: "rejected" } });

      const { code, stdout, stderr } = await runCli(["export", ws.manifest, "--to", "selects", "--concat", "animatic.mp4"], { cwd: ws.dir });
      expect(code, stderr).toBe(0);
      expect(stdout).toContain("exported 2 clips to");
      expect(stdout).toContain("not approved, left out: s03 (rejected), s04 (to review)");

      const selects = join(ws.dir, "selects");
      const json = JSON.parse(await readFile(join(selects, "selects.json"), "utf8")) as {
        selects: { file: string; shot: string; take: number; duration: number }[];
      };
      expect(json.selects.map((s) => [s.file, s.shot, s.take])).toEqual([
        ["01-s01.mp4", "s01", 2],
        ["02-s02.mp4", "s02", 1],
      ]);
      const chosen = (await statusRows(ws)).find((row) => row.shot === "s01" && row.take === 2);
      expect((await stat(join(selects, "01-s01.mp4"))).ino).toBe((await stat(join(ws.batchDir, chosen?.output_path ?? ""))).ino);
      for (const s of json.selects) expect(s.duration).toBeCloseTo(seconds(join(selects, s.file)), 3);
      expect(json.selects.map((s) => Math.round(s.duration))).toEqual([4, 6]);

      const total = json.selects.reduce((sum, s) => sum + s.duration, 0);
      expect(Math.abs(seconds(join(ws.dir, "animatic.mp4")) - total)).toBeLessThan(0.1);
      expect(stdout).toMatch(/animatic: .*animatic\.mp4 \(2 clips, 10\.0 s, re-encoded\)/);
    },
  );

  it("says how to install ffmpeg when --concat is asked without it, before placing any file", async () => {
    const ws = await useWorkspace({}, MANIFEST);
    const { code, stderr } = await runCli(["export", ws.manifest, "--to", "selects", "--concat", "animatic.mp4"], { cwd: ws.dir, env: { PATH: ws.dir } });
    expect(code).toBe(3);
    expect(stderr).toContain("ffmpeg and ffprobe are not on PATH: install it (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg");
    expect(existsSync(join(ws.dir, "selects"))).toBe(false);
  });
});
