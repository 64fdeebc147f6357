/**
 * Saves a result URL to disk, resumably, never showing a partial file under
 * its final name:
 *
 *   <dest>.part  <- streamed, hashed as it goes; kept across failures for a Range resume
 *                   (the caller may name it otherwise: see `part`)
 *   <dest>       <- only after the length checks out, the bytes look like video and fsync
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, fdatasync, fsync, mkdirSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { Agent, type Dispatcher } from "undici";
import { DownloadError, diskError } from "./download-error.js";
import { fetchResult, parseHttpUrl, where, type Usable } from "./fetch-result.js";
import { feedHash } from "./hash-file.js";
import { SNIFF_BYTES, describeHead, isVideoHead } from "./sniff.js";

export interface DownloadOptions {
  url: string;
  dest: string;
  signal?: AbortSignal;
  /** @default 5 */
  maxRedirects?: number;
  /**
   * Longest wait for the answer's headers, and longest silence between body
   * chunks. Not a limit on the whole download, which may be large. @default 60000
   */
  timeoutMs?: number;
  /** Size the file must have, when known from elsewhere; checked as well as the headers. */
  expectedBytes?: number;
  /**
   * Where the unfinished download lives, in dest's folder. A part found there
   * is resumed with Range, so it must hold the same file's first bytes: a
   * caller saving different files to one dest over time names the part by
   * what it holds. @default `${dest}.part`
   */
  part?: string;
  /**
   * Runs once the part is complete and synced, just before it takes the final
   * name; if it throws, the part stays and nothing is renamed. saveClip writes
   * the clip's sidecar here, so a crash can never leave a clip without one.
   */
  beforeRename?: (saved: DownloadResult) => Promise<void>;
  /**
   * Connection pool for the result host, shared by a run's downloads (see
   * createDownloadAgent) and left open; without it, each call makes its own
   * and closes it. Sharing saves a TCP connect and close per clip.
   */
  dispatcher?: Dispatcher;
}

/**
 * A pool for result hosts, for a run to share between its downloads. Its own,
 * not the API client's: the API pool's keep-alive sockets and limits are not
 * for result hosts. `timeoutMs` is as in DownloadOptions.
 */
export function createDownloadAgent(timeoutMs = 60_000): Agent {
  return new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: Math.min(timeoutMs, 30_000) } });
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Bytes reused from an earlier `.part`; 0 for a download from scratch. */
  resumedFrom: number;
}

/** What an earlier attempt left in `<dest>.part`. */
interface Progress {
  hash: Hash;
  bytes: number;
  head: Buffer;
}

/**
 * Downloads `url` to `dest`. If the caller's signal aborts, its reason is
 * thrown and the `.part` stays for the next attempt; every other failure is a
 * DownloadError.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const url = parseHttpUrl(options.url);
  const { dest } = options;
  const part = options.part ?? `${dest}.part`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const own = options.dispatcher === undefined ? createDownloadAgent(timeoutMs) : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (own as Agent);
  try {
    // The small steps are synchronous: a metadata call on a local disk costs less than the
    // thread-pool round trip of its promise. The transfer and the fsyncs, which can be slow, are not.
    onDiskSync(dirname(dest), () => mkdirSync(dirname(dest), { recursive: true }));
    const saved = await fetchToPart(url, part, { ...options, dispatcher });
    await options.beforeRename?.(saved);
    onDiskSync(dest, () => renameSync(part, dest));
    await onDisk(dirname(dest), () => syncDir(dirname(dest)));
    return saved;
  } catch (err) {
    options.signal?.throwIfAborted();
    throw err;
  } finally {
    await own?.destroy();
  }
}

async function fetchToPart(url: URL, part: string, options: DownloadOptions & { dispatcher: Dispatcher }): Promise<DownloadResult> {
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
  await streamInto(res, part, progress, expected);
  if (expected !== undefined && progress.bytes < expected) {
    throw new DownloadError("transient", `${where(res.url)} sent ${progress.bytes} of ${expected} bytes; the rest is fetched on the next attempt`);
  }
  return { bytes: progress.bytes, sha256: progress.hash.digest("hex"), resumedFrom };
}

/**
 * Bytes written between two background datasyncs of the part. Without them the
 * kernel keeps a big part in the page cache and the fsync before the rename
 * writes it all at once, with the download stalled: ~0.5 s per GiB on an SSD.
 * Each datasync commits the journal, so not much more often than this.
 */
const FLUSH_EVERY = 8 * 1024 * 1024;

/**
 * Appends the body to the part, hashing and sniffing it; `progress` ends up
 * describing the part. A body that breaks off is not an error here: the bytes
 * that did arrive are on disk, for the next Range resume.
 */
async function streamInto(res: Usable, part: string, progress: Progress, expected: number | undefined): Promise<void> {
  let brokeOff: unknown;
  async function* untilBroken(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      yield* body;
    } catch (err) {
      brokeOff = err;
    }
  }
  /** Takes a chunk into `progress`; returns why the download must stop, if it must. */
  function take(chunk: Buffer): DownloadError | undefined {
    progress.hash.update(chunk);
    progress.bytes += chunk.length;
    const wasShort = progress.head.length < SNIFF_BYTES;
    if (wasShort) progress.head = Buffer.concat([progress.head, chunk.subarray(0, SNIFF_BYTES - progress.head.length)]);
    if (expected !== undefined && progress.bytes > expected) return new DownloadError("transient", `${where(res.url)} sent more than the ${expected} bytes announced`);
    if (wasShort && progress.head.length >= SNIFF_BYTES && !isVideoHead(progress.head)) return notVideo(res.url, progress.head);
    return undefined;
  }
  let verdict: DownloadError | undefined;
  let flushing: Promise<void> = Promise.resolve();
  // Opened synchronously, like the writes: an await here would give a body that already broke off
  // the time to be destroyed with its last bytes still buffered, never read.
  const fd = onDiskSync(part, () => openSync(part, progress.bytes > 0 ? "a" : "w"));
  try {
    let unflushed = 0;
    for await (const chunk of untilBroken(res.body)) {
      verdict = take(chunk);
      if (verdict !== undefined) break;
      // A synchronous write to the page cache is a memcpy: far cheaper than a stream or a promise per chunk.
      writeAll(fd, chunk);
      unflushed += chunk.length;
      if (unflushed >= FLUSH_EVERY) {
        // One datasync at a time: waiting for the last one keeps the download to the disk's pace.
        await flushing;
        flushing = datasync(fd);
        // Awaited later; until then this handler keeps a failure from being an unhandled rejection.
        flushing.catch(() => undefined);
        unflushed = 0;
      }
    }
    await flushing;
    // On the descriptor already open, before the rename makes the part the clip; a part that
    // broke off is synced too, for the Range resume that picks it up.
    if (verdict === undefined) await fsyncAsync(fd);
  } catch (err) {
    // The body's own errors are caught above, and `take` returns its verdicts: what is left is the disk.
    throw diskError(err, part);
  } finally {
    // Not while a datasync may still be using the descriptor.
    await flushing.catch(() => undefined);
    onDiskSync(part, () => closeSync(fd));
  }
  // Covers bodies shorter than the sniff window, and a part resumed from an earlier run;
  // a body that broke off that early proves nothing either way.
  if (verdict === undefined && brokeOff === undefined && !isVideoHead(progress.head)) verdict = notVideo(res.url, progress.head);
  if (verdict !== undefined) {
    // Neither a page nor an overlong body can be resumed into a video.
    await onDisk(part, () => rm(part, { force: true }));
    throw verdict;
  }
  if (brokeOff !== undefined) {
    const reason = brokeOff instanceof Error ? brokeOff.message : String(brokeOff);
    throw new DownloadError("transient", `download of ${where(res.url)} broke off after ${progress.bytes} bytes: ${reason}`, { cause: brokeOff });
  }
}

const datasync = promisify(fdatasync);
const fsyncAsync = promisify(fsync);

/** writeSync may write less than asked (a disk filling up); it throws only when it writes nothing. */
function writeAll(fd: number, chunk: Buffer): void {
  for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
}

/** A 200, or a 206 that continues the part exactly where it ends. */
function fitsPart(res: Usable, partBytes: number): boolean {
  return res.statusCode === 200 || (res.statusCode === 206 && rangeOf(res)?.start === partBytes);
}

function notVideo(url: URL, head: Buffer): DownloadError {
  return new DownloadError("invalid", `${where(url)} did not send a video (no MP4 or WebM signature); it began with ${describeHead(head)}`);
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

function fresh(): Progress {
  return { hash: createHash("sha256"), bytes: 0, head: Buffer.alloc(0) };
}

async function readPart(part: string): Promise<Progress> {
  const progress = fresh();
  try {
    // Most downloads start with no part: a stat says so without opening a stream.
    if (statSync(part, { throwIfNoEntry: false }) === undefined) return progress;
    return { ...progress, ...(await feedHash(progress.hash, part, SNIFF_BYTES)) };
  } catch (err) {
    if ((err as { code?: unknown }).code === "ENOENT") return fresh();
    throw diskError(err, part);
  }
}

/** Makes the rename durable. Some platforms cannot open a directory for fsync: the rename stands anyway. */
async function syncDir(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    await fsyncAsync(fd).catch(() => undefined);
  } finally {
    closeSync(fd);
  }
}

/** Runs a file-system step, turning its errors into disk DownloadErrors naming `path`. */
async function onDisk<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw diskError(err, path);
  }
}

function onDiskSync<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw diskError(err, path);
  }
}
