/**
 * What shotlist asks of ffmpeg: a poster frame for the gallery, a clip's
 * duration for the selects, and the selects joined into one animatic. The
 * tools are looked up on PATH once per call site, and their absence is a
 * ShotlistError that says how to install them, never a spawn ENOENT.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { setPriority } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { ShotlistError } from "../errors.js";

const run = promisify(execFile);

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

const INSTALL_HINT = "install it (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) and run again";

/** ffmpeg and ffprobe from `pathVariable` (PATH by default); a ShotlistError naming what is missing and how to install it. */
export async function findFfmpeg(pathVariable = process.env.PATH ?? ""): Promise<FfmpegTools> {
  const [ffmpeg, ffprobe] = await Promise.all([onPath("ffmpeg", pathVariable), onPath("ffprobe", pathVariable)]);
  const absent = [ffmpeg === undefined ? "ffmpeg" : null, ffprobe === undefined ? "ffprobe" : null].filter((n) => n !== null);
  if (ffmpeg === undefined || ffprobe === undefined) {
    throw new ShotlistError("missing_tool", `${absent.join(" and ")} ${absent.length > 1 ? "are" : "is"} not on PATH: ${INSTALL_HINT}`);
  }
  return { ffmpeg, ffprobe };
}

/** ffmpeg and ffprobe when both are on PATH, else undefined: for callers that can do without (the gallery shows the video's own first frame). */
export async function ffmpegIfInstalled(pathVariable = process.env.PATH ?? ""): Promise<FfmpegTools | undefined> {
  return findFfmpeg(pathVariable).catch((err: unknown) => {
    if (err instanceof ShotlistError && err.code === "missing_tool") return undefined;
    throw err;
  });
}

async function onPath(name: string, pathVariable: string): Promise<string | undefined> {
  const names = process.platform === "win32" ? [`${name}.exe`, name] : [name];
  for (const dir of pathVariable.split(delimiter).filter((d) => d !== "")) {
    for (const file of names.map((n) => join(dir, n))) {
      if (
        await access(file, constants.X_OK).then(
          () => true,
          () => false,
        )
      )
        return file;
    }
  }
  return undefined;
}

/** The poster frames' folder: inside the batch's .shotlist/, beside the state, never among the clips. */
export function posterPath(batchFolder: string, clipRelativePath: string): string {
  return join(batchFolder, ".shotlist", "posters", `${clipRelativePath}.jpg`);
}

const postersBeingMade = new Map<string, Promise<string>>();

/**
 * A JPEG of the clip's first frame at `poster`, made once: a poster newer
 * than its clip is reused, and requests for one being made share it. It is
 * written beside and renamed into place, so a reader never sees half a JPEG.
 */
export async function makePoster(tools: FfmpegTools, clip: string, poster: string): Promise<string> {
  const pending = postersBeingMade.get(poster);
  if (pending !== undefined) return pending;
  const made = (async () => {
    const [clipStat, posterStat] = await Promise.all([stat(clip), stat(poster).catch(() => undefined)]);
    if (posterStat !== undefined && posterStat.mtimeMs >= clipStat.mtimeMs) return poster;
    await mkdir(dirname(poster), { recursive: true });
    const partial = `${poster}.part.jpg`;
    await ffmpegRun(tools, ["-i", clip, "-frames:v", "1", "-q:v", "4", "-f", "image2", "-y", partial], `make a poster frame of ${clip}`, { background: true });
    await rename(partial, poster);
    return poster;
  })();
  postersBeingMade.set(poster, made);
  try {
    return await made;
  } finally {
    postersBeingMade.delete(poster);
  }
}

/** The clip's duration in seconds, as its container states it. */
export async function probeDuration(tools: FfmpegTools, clip: string): Promise<number> {
  const out = await ffprobeJson(tools, ["-show_entries", "format=duration", clip], clip);
  const duration = Number((out as { format?: { duration?: string } }).format?.duration);
  if (!Number.isFinite(duration)) throw new ShotlistError("internal", `ffprobe states no duration for ${clip}`);
  return duration;
}

interface StreamFacts {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
  time_base: string;
}

/** What must agree between clips for their streams to be joined without re-encoding. */
function streamShape(streams: readonly StreamFacts[]): string {
  return JSON.stringify(streams.map((s) => [s.codec_type, s.codec_name, s.width, s.height, s.pix_fmt, s.sample_rate, s.channels, s.time_base]));
}

async function streamsOf(tools: FfmpegTools, clip: string): Promise<StreamFacts[]> {
  const fields = "stream=codec_type,codec_name,width,height,pix_fmt,sample_rate,channels,time_base";
  const out = await ffprobeJson(tools, ["-show_entries", fields, clip], clip);
  return ((out as { streams?: StreamFacts[] }).streams ?? []).filter((s) => s.codec_type === "video" || s.codec_type === "audio");
}

export type ConcatMethod = "stream copy" | "re-encoded";

/**
 * Joins `clips` in order into `out`. Clips whose streams agree (codec, size,
 * pixel format, audio layout, time base) are joined by stream copy: fast and
 * lossless. Otherwise every clip is scaled and padded to the first one's
 * frame and re-encoded (H.264, with AAC audio when every clip has audio).
 */
export async function concatClips(tools: FfmpegTools, clips: readonly string[], out: string): Promise<ConcatMethod> {
  if (clips.length === 0) throw new ShotlistError("usage", "there are no clips to join");
  // Settled, not all: a clip ffprobe cannot read must not leave the others' probes running when the error is thrown.
  const probed = await Promise.allSettled(clips.map((clip) => streamsOf(tools, clip)));
  const unreadable = probed.find((p) => p.status === "rejected");
  if (unreadable !== undefined) throw unreadable.reason;
  const shapes = probed.map((p) => (p as PromiseFulfilledResult<Awaited<ReturnType<typeof streamsOf>>>).value);
  const first = shapes[0] as StreamFacts[];
  const sameShape = shapes.every((s) => streamShape(s) === streamShape(first));
  await mkdir(dirname(out), { recursive: true });
  const partial = `${out}.part.mp4`;
  try {
    if (sameShape) await copyConcat(tools, clips, partial);
    else await reencodeConcat(tools, clips, shapes, partial);
    await rename(partial, out);
  } finally {
    await rm(partial, { force: true });
  }
  return sameShape ? "stream copy" : "re-encoded";
}

async function copyConcat(tools: FfmpegTools, clips: readonly string[], out: string): Promise<void> {
  // The concat demuxer reads a list file; single quotes in a path are escaped as '\''.
  const list = `${out}.list.txt`;
  await writeFile(list, clips.map((c) => `file '${c.replaceAll("'", "'\\''")}'\n`).join(""));
  try {
    await ffmpegRun(
      tools,
      ["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-movflags", "+faststart", "-f", "mp4", "-y", out],
      `join ${clips.length} clips`,
    );
  } finally {
    await rm(list, { force: true });
  }
}

async function reencodeConcat(tools: FfmpegTools, clips: readonly string[], shapes: readonly StreamFacts[][], out: string): Promise<void> {
  const video = (shapes[0] as StreamFacts[]).find((s) => s.codec_type === "video");
  // Even sizes: H.264 in 4:2:0 needs them.
  const width = 2 * Math.round((video?.width ?? 1280) / 2);
  const height = 2 * Math.round((video?.height ?? 720) / 2);
  const withAudio = shapes.every((s) => s.some((stream) => stream.codec_type === "audio"));
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=24,format=yuv420p`;
  const filters = clips.map((_, i) => `[${i}:v:0]${fit}[v${i}]`);
  const inputs = clips.map((_, i) => `[v${i}]${withAudio ? `[${i}:a:0]` : ""}`).join("");
  filters.push(`${inputs}concat=n=${clips.length}:v=1:a=${withAudio ? 1 : 0}${withAudio ? "[v][a]" : "[v]"}`);
  const args = [...clips.flatMap((c) => ["-i", c]), "-filter_complex", filters.join(";"), "-map", "[v]", ...(withAudio ? ["-map", "[a]", "-c:a", "aac"] : [])];
  args.push("-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-movflags", "+faststart", "-f", "mp4", "-y", out);
  await ffmpegRun(tools, args, `join ${clips.length} clips`);
}

/** The lowest priority there is: background work yields to the browser showing the gallery it is made for. */
const BACKGROUND_PRIORITY = 19;

async function ffmpegRun(tools: FfmpegTools, args: string[], what: string, options: { background?: boolean } = {}): Promise<void> {
  try {
    const running = run(tools.ffmpeg, ["-hide_banner", "-loglevel", "error", "-nostdin", ...args], { maxBuffer: 16 * 1024 * 1024 });
    if (options.background === true) lowerPriority(running.child.pid);
    await running;
  } catch (err) {
    throw new ShotlistError("internal", `ffmpeg could not ${what}: ${lastLine(err)}`, { cause: err });
  }
}

/** Best effort: a child that already exited, or a system that refuses, leaves it at its priority. */
function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, BACKGROUND_PRIORITY);
  } catch {
    // the poster is made all the same, only sooner
  }
}

async function ffprobeJson(tools: FfmpegTools, args: string[], clip: string): Promise<unknown> {
  try {
    const { stdout } = await run(tools.ffprobe, ["-v", "error", "-of", "json", ...args], { maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as unknown;
  } catch (err) {
    throw new ShotlistError("internal", `ffprobe could not read ${clip}: ${lastLine(err)}`, { cause: err });
  }
}

/** ffmpeg's own last words (its stderr's last line), which say what went wrong. */
function lastLine(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  const text = typeof stderr === "string" && stderr.trim() !== "" ? stderr : err instanceof Error ? err.message : String(err);
  return text.trim().split("\n").at(-1) ?? "";
}
