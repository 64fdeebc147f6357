/**
 * The Range protocol of a resumable download: asks for what the part lacks
 * and reads the answer. A 206 that starts where the part ends continues it; a
 * 200 is the whole file whatever was asked, and replaces it; a 416 or a 206
 * elsewhere does not fit it (the file on the host changed, or the part is
 * longer than the file), so the part is dropped and the file fetched whole, once.
 */
import { rm } from "node:fs/promises";
import type { Dispatcher } from "undici";
import type { DownloadOptions, DownloadResult } from "./download-file.js";
import { DownloadError } from "./download-error.js";
import { onDisk, type Disk } from "./disk.js";
import { fetchResult, where, type Usable } from "./fetch-result.js";
import { fresh, readPart, streamInto } from "./part-writer.js";

/** Fetches `url` into `part`, resuming what an earlier attempt left there; the part is complete and synced on return. */
export async function fetchToPart(url: URL, part: string, options: DownloadOptions & { dispatcher: Dispatcher; disk: Disk }): Promise<DownloadResult> {
  const fetchOptions = { dispatcher: options.dispatcher, maxRedirects: options.maxRedirects ?? 5, signal: options.signal };
  let earlier = await readPart(part);
  let res = await fetchResult(url, { ...fetchOptions, from: earlier.bytes });
  if (!fitsPart(res, earlier.bytes)) {
    // The part no longer fits the file on the host (it changed, or the part is too long): start over, once.
    await res.body.dump();
    await onDisk(part, () => rm(part, { force: true }));
    earlier = fresh();
    res = await fetchResult(url, { ...fetchOptions, from: 0 });
    if (!fitsPart(res, 0)) {
      await res.body.dump();
      throw new DownloadError("transient", `${where(res.url)} answered ${res.statusCode} with a range the request did not ask for`, { status: res.statusCode });
    }
  }
  // A 200 is the whole file whatever we asked for: it replaces the part.
  const progress = res.statusCode === 206 ? earlier : fresh();
  const resumedFrom = progress.bytes;
  const expected = expectedTotal(res, resumedFrom, options.expectedBytes);
  await streamInto(res, part, progress, expected, options.disk);
  if (expected !== undefined && progress.bytes < expected) {
    throw new DownloadError("transient", `${where(res.url)} sent ${progress.bytes} of ${expected} bytes; the rest is fetched on the next attempt`);
  }
  return { bytes: progress.bytes, sha256: progress.hash.digest("hex"), resumedFrom };
}

/** A 200, or a 206 that continues the part exactly where it ends. */
function fitsPart(res: Usable, partBytes: number): boolean {
  return res.statusCode === 200 || (res.statusCode === 206 && rangeOf(res)?.start === partBytes);
}

/** The size the finished file must have, from the headers and the caller; undefined when nobody says. */
function expectedTotal(res: Usable, from: number, expectedBytes: number | undefined): number | undefined {
  const length = Number(header(res.headers["content-length"]) ?? Number.NaN);
  const announced = res.statusCode === 206 ? (rangeOf(res)?.total ?? from + length) : length;
  if (Number.isFinite(announced) && expectedBytes !== undefined && announced !== expectedBytes) {
    throw new DownloadError("invalid", `${where(res.url)} announced ${announced} bytes, expected ${expectedBytes}`);
  }
  return Number.isFinite(announced) ? announced : expectedBytes;
}

function rangeOf(res: Usable): { start: number; total: number | undefined } | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header(res.headers["content-range"])?.trim() ?? "");
  if (match?.[1] === undefined) return undefined;
  return { start: Number(match[1]), total: match[2] === "*" || match[2] === undefined ? undefined : Number(match[2]) };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
