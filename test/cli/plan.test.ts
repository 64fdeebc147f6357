import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";
import { manifestDir } from "./manifest-files.js";

const files = manifestDir();
beforeAll(ensureBuilt, 120_000);
afterAll(files.remove);

const MANIFEST = `version: 1
name: plan-test
model: seedance-1.5-pro
profiles:
  draft: { quality: 480p, duration: 4, generate_audio: false }
shots:
  - id: s01-street
    prompt: "Rainy streets of Tokyo at night"
    duration: 6
  - id: s02
    prompt: "A detective turns"
    image: https://example.com/detective.png
    generate_audio: false
    takes: 2
`;

describe("shotlist plan", () => {
  it("lists the jobs as an aligned table, then the seconds the bill scales with", async () => {
    const result = await runCli(["plan", files.write("plan.yaml", MANIFEST)]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^shot\s+take\s+mode\s+model\s+duration\s+quality\s+audio\s+credits\s+key$/);
    expect(lines.slice(1, 4).map((l) => l.split(/\s{2,}/).slice(0, 7))).toEqual([
      ["s01-street", "1", "text-to-video", "seedance-1.5-pro", "6s", "720p", "yes"],
      ["s02", "1", "image-to-video", "seedance-1.5-pro", "5s", "720p", "no"],
      ["s02", "2", "image-to-video", "seedance-1.5-pro", "5s", "720p", "no"],
    ]);
    const keyColumn = lines[0]?.indexOf("key") ?? -1;
    for (const line of lines.slice(1, 4)) expect(line.slice(keyColumn)).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.slice(4, 6)).toEqual(["", "plan-test: 3 jobs from 2 shots; 16 s of video, 6 s with audio"]);
    expect(lines[6]).toMatch(/^nothing has run for this manifest yet \(no state at .*out\/plan-test\/\.shotlist\/state\.db\): all 3 to render$/);
  });

  it("applies a profile", async () => {
    const result = await runCli(["plan", files.write("plan.yaml", MANIFEST), "--profile", "draft"]);
    expect(result.stdout).toContain("plan-test (profile draft): 3 jobs from 2 shots; 12 s of video, 0 s with audio");
  });

  it("prints the jobs and totals as JSON with --json", async () => {
    const result = await runCli(["plan", files.write("plan.yaml", MANIFEST), "--json"]);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { jobs: { shot: string; take: number; request: { duration: number } }[]; totals: unknown };
    expect(plan.jobs.map((j) => [j.shot, j.take, j.request.duration])).toEqual([
      ["s01-street", 1, 6],
      ["s02", 1, 5],
      ["s02", 2, 5],
    ]);
    expect(plan.totals).toEqual({
      shots: 2,
      jobs: 3,
      seconds: 16,
      jobs_with_audio: 1,
      seconds_with_audio: 6,
      by_mode: { "text-to-video": 1, "image-to-video": 2 },
    });
  });

  it("shows the same keys as a second plan of the same manifest", async () => {
    const path = files.write("plan.yaml", MANIFEST);
    const [first, second] = await Promise.all([runCli(["plan", path, "--json"]), runCli(["plan", path, "--json"])]);
    expect(first.stdout).toBe(second.stdout);
  });

  it("sends nothing and exits 2 for an invalid manifest", async () => {
    const result = await runCli(["plan", files.write("bad.yaml", MANIFEST.replace("duration: 6", "duration: 60"))]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(":9:15 shot s01-street: duration must be 4..12 for seedance-1.5-pro (got 60)");
  });
});
