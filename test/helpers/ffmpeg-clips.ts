import { execFileSync } from "node:child_process";

/** A real H.264 clip of `seconds` at `size` (WxH), made with ffmpeg's test source; with a tone when `audio`. */
export function makeClip(path: string, seconds: number, size = "160x90", audio = false): string {
  const inputs = ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=12:duration=${seconds}`];
  if (audio) inputs.push("-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`);
  const codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", ...(audio ? ["-c:a", "aac", "-shortest"] : [])];
  execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", ...inputs, ...codecs, "-y", path]);
  return path;
}
