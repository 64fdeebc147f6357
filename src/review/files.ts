import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { extname, resolve, sep } from "node:path";

/** The only files the review server hands out: clips and poster frames. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  ".mp4": "video/mp4",
  ".webm": "video/webm",
  ".mov": "video/quicktime",
  ".jpg": "image/jpeg",
  ".png": "image/png",
};

export type Refusal = { status: 400 | 403 | 404; why: string };

/**
 * The real path of `relative` (URL-decoded) when it names a media file inside
 * `root` after every symlink is followed; else why not. A `..`, an absolute
 * path or a link out of the folder are all refused the same way.
 */
export async function fileInside(root: string, relative: string): Promise<{ path: string; size: number; type: string } | Refusal> {
  if (relative.includes("\0")) return { status: 400, why: "bad path" };
  const realRoot = await realpath(root);
  const inside = (path: string): boolean => path.startsWith(realRoot + sep);
  const target = resolve(realRoot, relative);
  if (!inside(target)) return { status: 403, why: "outside the batch folder" };
  const type = MEDIA_TYPES[extname(target).toLowerCase()];
  if (type === undefined) return { status: 403, why: "not a clip or a poster" };
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return { status: 404, why: "no such file" };
  }
  if (!inside(real)) return { status: 403, why: "outside the batch folder" };
  const info = await stat(real);
  if (!info.isFile()) return { status: 404, why: "no such file" };
  return { path: real, size: info.size, type };
}

/** Sends a file whole, or the one byte range asked (video elements seek with ranges). */
export function sendFile(res: ServerResponse, file: { path: string; size: number; type: string }, rangeHeader: string | undefined): void {
  res.setHeader("content-type", file.type);
  res.setHeader("accept-ranges", "bytes");
  const range = rangeHeader === undefined ? undefined : /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
  let start = 0;
  let end = file.size - 1;
  if (range !== undefined && range !== null && (range[1] !== "" || range[2] !== "")) {
    if (range[1] === "") start = Math.max(0, file.size - Number(range[2]));
    else {
      start = Number(range[1]);
      if (range[2] !== "") end = Math.min(end, Number(range[2]));
    }
    if (start > end || start >= file.size) {
      res.writeHead(416, { "content-range": `bytes */${file.size}` }).end();
      return;
    }
    res.writeHead(206, { "content-range": `bytes ${start}-${end}/${file.size}`, "content-length": end - start + 1 });
  } else {
    res.writeHead(200, { "content-length": file.size });
  }
  if (file.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(file.path, { start, end });
  stream.on("error", () => res.destroy());
  res.on("close", () => stream.destroy());
  stream.pipe(res);
}
