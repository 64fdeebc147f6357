import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkClipStructure } from "../../src/download/clip-structure.js";
import { ResultFile } from "../../src/sim/content.js";
import { ASPECT_RATIOS } from "../../src/sim/models.js";
import type { ClipLook } from "../../src/sim/test-patterns.js";
import { BASIC, GEN_MS, bytesOf, client, simulators } from "./sim-client.js";

const dir = mkdtempSync(join(tmpdir(), "shotlist-test-patterns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = simulators();

function save(bytes: Buffer, name: string): string {
  const file = join(dir, `${name}.mp4`);
  writeFileSync(file, bytes);
  return file;
}

/** What ffprobe says of a clip's bytes: its frame and the duration its container states. */
function probe(bytes: Buffer, name: string): { width: number; height: number; duration: number } {
  const file = save(bytes, name);
  const out = execFileSync("ffprobe", ["-v", "error", "-of", "json", "-show_entries", "stream=width,height:format=duration", file], { encoding: "utf8" });
  const facts = JSON.parse(out) as { streams: { width: number; height: number }[]; format: { duration: string } };
  return { ...(facts.streams[0] as { width: number; height: number }), duration: Number(facts.format.duration) };
}

/** The first frame's pixels, decoded by ffmpeg. */
function firstFrame(bytes: Buffer, name: string): Buffer {
  return execFileSync("ffmpeg", ["-v", "error", "-i", save(bytes, name), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
}

const fileBytes = (look: ClipLook): Buffer => Buffer.concat([...new ResultFile("task-unified-1-abc", null, look).chunks()]);

describe("the simulator's clips", () => {
  it.each(ASPECT_RATIOS.filter((r) => r !== "adaptive"))("are %s when the request asks for it", (ratio) => {
    const { width, height } = probe(fileBytes({ aspectRatio: ratio, duration: 4, variant: 0 }), ratio.replace(":", "x"));
    const [w, h] = ratio.split(":").map(Number) as [number, number];
    expect(Math.abs(width / height - w / h)).toBeLessThan(0.02);
  });

  it.each([4, 7, 12, 15])("last the %i s the request asks for, and pass the download's structure check", (seconds) => {
    const bytes = fileBytes({ aspectRatio: "9:16", duration: seconds, variant: 1 });
    expect(probe(bytes, `d${seconds}`).duration).toBeCloseTo(seconds, 2);
    expect(checkClipStructure(save(bytes, `s${seconds}`))).toEqual({ ok: true });
  });

  it("look different for each variant, and an adaptive request gets the 16:9 clip", () => {
    const frames = [0, 1, 2].map((variant) => firstFrame(fileBytes({ aspectRatio: "adaptive", duration: 4, variant }), `v${variant}`));
    expect(new Set(frames.map((f) => f.toString("base64"))).size).toBe(3);
    expect(probe(fileBytes({ aspectRatio: "adaptive", duration: 4, variant: 0 }), "adaptive")).toMatchObject({ width: 256, height: 144 });
  });

  it("serves two takes of one prompt as different variants, each as the request asked", async () => {
    const sim = await start();
    const api = client(sim);
    const ids: string[] = [];
    for (let take = 0; take < 2; take++) ids.push((await api.create({ ...BASIC, aspect_ratio: "9:16", duration: 6 })).body.id);
    sim.clock.advance(GEN_MS);
    const clips = await Promise.all(ids.map(async (id) => bytesOf(await fetch((await api.get(id)).body.results?.[0] ?? ""))));
    const vertical6s = { width: 144, height: 256, duration: 6 };
    expect(clips.map((c, i) => probe(c, `take${i}`))).toEqual([vertical6s, vertical6s]);
    expect(firstFrame(clips[0] as Buffer, "t0").equals(firstFrame(clips[1] as Buffer, "t1"))).toBe(false);
  });
});
