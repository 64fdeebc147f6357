/**
 * The durable part writer: appends a download's body to its part file,
 * hashing and sniffing as it goes, datasyncing in the background so the last
 * fsync stays short, and fsyncing the part before anyone renames it.
 */
import { createHash, type Hash } from "node:crypto";
import { closeSync, fdatasync, openSync, statSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { promisify } from "node:util";
import { DownloadError, diskError } from "./download-error.js";
import { onDisk, onDiskSync, type Disk } from "./disk.js";
import { where, type Usable } from "./fetch-result.js";
import { feedHash } from "./hash-file.js";
import { SNIFF_BYTES, describeHead, isVideoHead } from "./sniff.js";

/** What the part holds: its hash so far (undigested), its size and its first bytes. */
export interface Progress {
  hash: Hash;
  bytes: number;
  head: Buffer;
}

export function fresh(): Progress {
  return { hash: createHash("sha256"), bytes: 0, head: Buffer.alloc(0) };
}

/** What an earlier attempt left in the part. */
export async function readPart(part: string): Promise<Progress> {
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
export async function streamInto(res: Usable, part: string, progress: Progress, expected: number | undefined, disk: Disk): Promise<void> {
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
    if (expected !== undefined && progress.bytes > expected)
      return new DownloadError("transient", `${where(res.url)} sent more than the ${expected} bytes announced`);
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
    if (verdict === undefined) await disk.fsync(fd, part);
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
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a body may throw any value, not only an Error
    const reason = brokeOff instanceof Error ? brokeOff.message : String(brokeOff);
    throw new DownloadError("transient", `download of ${where(res.url)} broke off after ${progress.bytes} bytes: ${reason}`, { cause: brokeOff });
  }
}

const datasync = promisify(fdatasync);

/** writeSync may write less than asked (a disk filling up); it throws only when it writes nothing. */
function writeAll(fd: number, chunk: Buffer): void {
  for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done);
}

function notVideo(url: URL, head: Buffer): DownloadError {
  return new DownloadError("invalid", `${where(url)} did not send a video (no MP4 or WebM signature); it began with ${describeHead(head)}`);
}
