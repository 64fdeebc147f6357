import { mkdtemp, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ShotlistError } from "../../src/errors.js";
import { concatClips, findFfmpeg, makePoster, posterPath, probeDuration, type FfmpegTools } from "../../src/review/ffmpeg.js";
import { makeClip } from "../helpers/ffmpeg-clips.js";

let dir: string;
let tools: FfmpegTools;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shotlist-ffmpeg-"));
  tools = await findFfmpeg();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("finding ffmpeg", () => {
  it("says how to install ffmpeg when PATH has neither tool", async () => {
    const error = await findFfmpeg(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShotlistError);
    expect((error as ShotlistError).code).toBe("missing_tool");
    expect((error as ShotlistError).message).toMatch(
      /^ffmpeg and ffprobe are not on PATH: install it \(Debian\/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg/,
    );
  });

  it("names ffprobe alone when only ffmpeg is on PATH", async () => {
    await symlink(tools.ffmpeg, join(dir, "ffmpeg"));
    await expect(findFfmpeg(dir)).rejects.toThrow(/^ffprobe is not on PATH: install it/);
  });
});

describe("poster frames", () => {
  it("makes a JPEG of the clip under the batch's .shotlist/ and reuses it on the next ask", async () => {
    const clip = makeClip(join(dir, "take.mp4"), 1);
    const poster = posterPath(dir, "s01/take-01.mp4");
    expect(poster).toBe(join(dir, ".shotlist", "posters", "s01", "take-01.mp4.jpg"));
    await makePoster(tools, clip, poster);
    const bytes = await readFile(poster);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const made = await stat(poster);
    await makePoster(tools, clip, poster);
    expect((await stat(poster)).mtimeMs).toBe(made.mtimeMs);
  });

  it("remakes a poster once its clip is newer than it", async () => {
    const clip = makeClip(join(dir, "a.mp4"), 1);
    const poster = posterPath(dir, "a.mp4");
    await makePoster(tools, clip, poster);
    const first = await stat(poster);
    makeClip(clip, 1, "90x160");
    await makePoster(tools, clip, poster);
    expect((await stat(poster)).mtimeMs).toBeGreaterThan(first.mtimeMs);
  });
});

describe("durations and the animatic", () => {
  it("reads a clip's duration", async () => {
    expect(await probeDuration(tools, makeClip(join(dir, "a.mp4"), 2))).toBeCloseTo(2, 1);
  });

  it("joins clips of one shape by stream copy, their durations adding up", async () => {
    const clips = [makeClip(join(dir, "a.mp4"), 1, "160x90", true), makeClip(join(dir, "b's.mp4"), 2, "160x90", true)];
    const out = join(dir, "animatic.mp4");
    expect(await concatClips(tools, clips, out)).toBe("stream copy");
    expect(await probeDuration(tools, out)).toBeCloseTo(3, 1);
  });

  it("re-encodes clips of different sizes into the first one's frame", async () => {
    const clips = [makeClip(join(dir, "wide.mp4"), 1, "160x90"), makeClip(join(dir, "tall.mp4"), 2, "90x160")];
    const out = join(dir, "animatic.mp4");
    expect(await concatClips(tools, clips, out)).toBe("re-encoded");
    expect(await probeDuration(tools, out)).toBeCloseTo(3, 1);
  });

  it("says which clip ffprobe could not read", async () => {
    const clips = [makeClip(join(dir, "a.mp4"), 1), join(dir, "missing.mp4")];
    await expect(concatClips(tools, clips, join(dir, "out.mp4"))).rejects.toThrow(/^ffprobe could not read .*missing\.mp4: .*No such file/);
  });
});
