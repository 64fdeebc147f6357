import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManifestError, formatProblem } from "../../src/errors.js";
import { loadBatch } from "../../src/manifest/load.js";
import { pngBytes, writePng } from "../helpers/media-files.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A manifest in a temp folder whose shot s1 carries `media` (YAML lines at the shot's indentation), shot s2 too when given. */
async function manifestWith(media: string, model = "seedance-1.5-pro", second?: string): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), "shotlist-local-"));
  const shot = (id: string, lines: string) => `  - id: ${id}\n    prompt: "Shot ${id}"\n${lines.replace(/^/gm, "    ")}`;
  const text = ["version: 1", "name: local", `model: ${model}`, "shots:", shot("s1", media), ...(second === undefined ? [] : [shot("s2", second)]), ""];
  const path = join(dir, "shots.yaml");
  await writeFile(path, text.join("\n"));
  return path;
}

async function problemsOf(path: string): Promise<string[]> {
  const err = await loadBatch(path, {}).catch((e: unknown) => e);
  if (!(err instanceof ManifestError)) throw new Error("expected the manifest to be refused");
  return err.problems.map((p) =>
    formatProblem(p)
      .replace(path, "shots.yaml")
      .replaceAll(dir ?? "", "DIR"),
  );
}

describe("local media files", () => {
  it("accepts a path from the manifest's folder and an absolute one, sending each as its absolute path", async () => {
    const path = await manifestWith("first_frame: frames/a.png\nlast_frame: PLACEHOLDER");
    await writePng(join(dir ?? "", "frames/a.png"), 1);
    await writePng(join(dir ?? "", "b.png"), 2);
    await writeFile(path, (await import("node:fs/promises").then((fs) => fs.readFile(path, "utf8"))).replace("PLACEHOLDER", join(dir ?? "", "b.png")));

    const { batch } = await loadBatch(path, {});

    expect(batch.jobs[0]?.request.image_urls).toEqual([join(dir ?? "", "frames/a.png"), join(dir ?? "", "b.png")]);
    expect(batch.localFiles?.get(join(dir ?? "", "b.png"))).toMatchObject({ bytes: pngBytes(64, 36, 2).length, dimensions: { width: 64, height: 36 } });
  });

  it("refuses a missing file, a folder, an empty file and one that is no media, each at its place with its shot", async () => {
    const path = await manifestWith("image: missing.png", "seedance-2.0-reference-to-video", "image_urls: [frames, empty.png, notes.png]");
    await mkdir(join(dir ?? "", "frames"));
    await writeFile(join(dir ?? "", "empty.png"), "");
    await writeFile(join(dir ?? "", "notes.png"), "just some text, named like an image");

    expect(await problemsOf(path)).toEqual([
      'shots.yaml:7:12 shot s1: image "missing.png" is no file: nothing at DIR/missing.png (a relative path starts from the manifest\'s folder)',
      'shots.yaml:10:18 shot s2: image_urls[0] "frames" is a folder, not a file (DIR/frames)',
      'shots.yaml:10:26 shot s2: image_urls[1] "empty.png" is empty (DIR/empty.png)',
      'shots.yaml:10:37 shot s2: image_urls[2] "notes.png" is not a PNG, JPEG or WebP image, an MP4/MOV video or MP3/WAV audio (judged by its first bytes, not its name)',
    ]);
  });

  it("judges the format by the first bytes, not the name: a PNG named .mp4 is no video", async () => {
    const path = await manifestWith("image_urls: [a.png]\nvideo_urls: [clip.mp4]", "seedance-2.0-reference-to-video");
    await writePng(join(dir ?? "", "a.png"), 1);
    await writePng(join(dir ?? "", "clip.mp4"), 2);

    expect(await problemsOf(path)).toEqual([
      'shots.yaml:8:18 shot s1: video_urls[0] "clip.mp4" is an image (PNG, JPEG or WebP) by its first bytes (png), not a video (MP4 or MOV)',
    ]);
  });

  it("holds an image to its model's size: 10 MB for Seedance 1.5 Pro, 30 MB in Seedance 2.0 reference mode", async () => {
    const path = await manifestWith("image: big.png", "seedance-1.5-pro", "model: seedance-2.0-reference-to-video\nimage_urls: [big.png]");
    const big = join(dir ?? "", "big.png");
    await writePng(big, 1);
    await truncate(big, 12 * 1024 * 1024);

    expect(await problemsOf(path)).toEqual(['shots.yaml:7:12 shot s1: image "big.png" is 12 MB; seedance-1.5-pro takes images of at most 10 MB']);
  });

  it("refuses an image whose header is cut short: no width and height in it", async () => {
    const path = await manifestWith("image: cut.png");
    await writeFile(join(dir ?? "", "cut.png"), pngBytes(64, 36).subarray(0, 20));

    expect(await problemsOf(path)).toEqual([
      'shots.yaml:7:12 shot s1: image "cut.png" starts like a PNG image but its header is cut short or broken: no width and height in it',
    ]);
  });

  it("keys a job by the file's content: the same bytes under another name keep the key, other pixels change it", async () => {
    const path = await manifestWith("image: a.png");
    await writePng(join(dir ?? "", "a.png"), 1);
    await writePng(join(dir ?? "", "copy.png"), 1);
    await writePng(join(dir ?? "", "other.png"), 2);
    const keyWith = async (file: string) => {
      await writeFile(path, (await manifestText(path)).replace(/image: .*/, `image: ${file}`));
      return (await loadBatch(path, {})).batch.jobs[0]?.key;
    };

    const first = await keyWith("a.png");
    expect(await keyWith("copy.png")).toBe(first);
    expect(await keyWith("other.png")).not.toBe(first);
  });
});

async function manifestText(path: string): Promise<string> {
  return (await import("node:fs/promises")).readFile(path, "utf8");
}
