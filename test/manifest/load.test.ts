import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadBatch } from "../../src/manifest/load.js";
import { withShots } from "./helpers.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "shotlist-manifest-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writeManifest(text: string, name = "shots.yaml"): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function problemsOfFile(path: string): Promise<string> {
  const error = await loadBatch(path, {}).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(ManifestError);
  return (error as ManifestError).message;
}

describe("loadBatch", () => {
  it("reads, validates and expands a manifest file", async () => {
    const path = writeManifest(withShots('  - { id: s01, prompt: "A lighthouse", takes: 2 }'));
    const { batch, warnings } = await loadBatch(path, {});
    expect(batch.jobs.map((j) => `${j.shotId}#${j.take}`)).toEqual(["s01#1", "s01#2"]);
    expect(warnings).toEqual([]);
  });

  it("returns warnings beside a valid batch", async () => {
    const path = writeManifest(withShots('  - { id: s01, prompt: "A lighthouse" }', "model: veo-9"));
    const { warnings } = await loadBatch(path, {});
    expect(warnings.map((w) => w.message)).toEqual(['unknown model "veo-9": only the common rules are checked, the API will judge the rest']);
  });

  it("names the file in every problem, as the user gave it", async () => {
    const path = writeManifest(withShots('  - { id: s01, prompt: "A lighthouse", duration: 40 }'));
    expect(await problemsOfFile(path)).toBe(`${path}:5:50 shot s01: duration must be 4..12 for seedance-1.5-pro (got 40)`);
  });

  it("says when the file does not exist", async () => {
    expect(await problemsOfFile(join(dir, "missing.yaml"))).toBe(`${join(dir, "missing.yaml")}: no such file`);
  });

  it("refuses an oversized file before reading it", async () => {
    const path = writeManifest("");
    truncateSync(path, 49 * 1024 * 1024);
    expect(await problemsOfFile(path)).toBe(`${path}: manifest is 49.0 MB; the limit is 48.0 MB`);
  });

  it("applies the profile it is given", async () => {
    const path = writeManifest(withShots('  - { id: s01, prompt: "A lighthouse" }', "model: seedance-1.5-pro\nprofiles: { draft: { quality: 480p } }"));
    const { batch } = await loadBatch(path, { profile: "draft" });
    expect(batch.jobs[0]?.request.quality).toBe("480p");
  });
});

describe("the example manifests", () => {
  for (const name of ["demo", "storyboard"]) {
    it(`${name}.yaml is valid under every profile`, async () => {
      const { warnings } = await loadBatch(join("manifests", `${name}.yaml`), {});
      expect(warnings).toEqual([]);
    });
  }

  it("demo.yaml is cheap: one shot per mode (two takes of the first, one vertical), 4 s at 480p, no audio", async () => {
    const { batch } = await loadBatch("manifests/demo.yaml", {});
    expect(batch.jobs.map((j) => [j.mode, j.take, j.request.aspect_ratio])).toEqual([
      ["text-to-video", 1, "16:9"],
      ["text-to-video", 2, "16:9"],
      ["image-to-video", 1, "9:16"],
      ["first-last-frame", 1, "16:9"],
    ]);
    for (const { request } of batch.jobs) expect([request.duration, request.quality, request.generate_audio]).toEqual([4, "480p", false]);
  });

  it("storyboard.yaml uses all modes, profiles and takes", async () => {
    const { batch } = await loadBatch("manifests/storyboard.yaml", { profile: "draft" });
    expect(new Set(batch.jobs.map((j) => j.mode))).toEqual(new Set(["text-to-video", "image-to-video", "first-last-frame", "reference"]));
    expect(batch.jobs.some((j) => j.take === 2)).toBe(true);
  });
});
