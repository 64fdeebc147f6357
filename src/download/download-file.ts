/**
 * Saves a result URL to disk, resumably, never showing a partial file under
 * its final name:
 *
 *   <dest>.part  <- streamed, hashed as it goes; kept across failures for a Range resume
 *                   (the caller may name it otherwise: see `part`)
 *   <dest>       <- only after the length checks out, the bytes look like video, fsync,
 *                   and the clip's own structure says it is whole (clip-structure.ts)
 *
 * The steps live beside it: the Range protocol in range.ts, the part's
 * writing and syncing in part-writer.ts, the file-system helpers in disk.ts.
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { Agent, type Dispatcher } from "undici";
import { checkClipStructure } from "./clip-structure.js";
import { nodeDisk, onDisk, onDiskSync, type Disk } from "./disk.js";
import { DownloadError } from "./download-error.js";
import { parseHttpUrl, where } from "./fetch-result.js";
import { fetchToPart } from "./range.js";

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
   * Runs once the part is complete, synced and structure-checked, just
   * before it takes the final name; if it throws, the part stays and nothing is renamed. The local batch
   * folder writes the clip's sidecar here, so a crash can never leave a clip without one.
   */
  beforeRename?: (saved: DownloadResult) => Promise<void>;
  /**
   * Connection pool for the result host, shared by a run's downloads (see
   * createDownloadAgent) and left open; without it, each call makes its own
   * and closes it. Sharing saves a TCP connect and close per clip.
   */
  dispatcher?: Dispatcher;
  /** The fsync and rename steps; a test passes its own to watch their order. @default nodeDisk */
  disk?: Disk;
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

/**
 * Downloads `url` to `dest`. If the caller's signal aborts, its reason is
 * thrown and the `.part` stays for the next attempt; every other failure is a
 * DownloadError.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const url = parseHttpUrl(options.url);
  const { dest } = options;
  const part = options.part ?? `${dest}.part`;
  const disk = options.disk ?? nodeDisk;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const own = options.dispatcher === undefined ? createDownloadAgent(timeoutMs) : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (own as Agent);
  try {
    // The small steps are synchronous: a metadata call on a local disk costs less than the
    // thread-pool round trip of its promise. The transfer and the fsyncs, which can be slow, are not.
    onDiskSync(dirname(dest), () => mkdirSync(dirname(dest), { recursive: true }));
    const saved = await fetchToPart(url, part, { ...options, dispatcher, disk });
    checkWhole(part, url);
    await options.beforeRename?.(saved);
    onDiskSync(dest, () => disk.rename(part, dest));
    await onDisk(dirname(dest), () => disk.syncDir(dirname(dest)));
    return saved;
  } catch (err) {
    options.signal?.throwIfAborted();
    throw err;
  } finally {
    await own?.destroy();
  }
}

/** A part HTTP calls complete but whose structure says it is not: removed, since a Range resume would only extend the wrong bytes. */
function checkWhole(part: string, url: URL): void {
  const structure = onDiskSync(part, () => checkClipStructure(part));
  if (structure.ok) return;
  onDiskSync(part, () => rmSync(part, { force: true }));
  throw new DownloadError("corrupt", `the clip from ${where(url)} is corrupt: ${structure.reason}`);
}
