/**
 * A saved file as the structure checks read it: positioned reads of a few
 * bytes at a time, never the whole file (clips can be 1 GiB).
 */
import { readSync } from "node:fs";

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `at`: fewer where the file ends. Valid until the next read. */
  read(at: number, length: number): Buffer;
}

/**
 * One read of the file serves the headers near each other (a moov's boxes
 * fit in a few KiB). Measured on the test pattern: 0.35-0.45 ms per
 * clip with a read per header, 0.08-0.12 ms with these blocks.
 */
const BLOCK = 16 * 1024;

/**
 * Reads an open file. Synchronous: the checks make a few small reads of a
 * file just written, from the page cache, each cheaper than a promise.
 */
export function fileSource(fd: number, size: number): ByteSource {
  let block: Buffer = Buffer.alloc(0);
  let blockAt = 0;
  return {
    size,
    read(at, length) {
      const want = Math.max(0, Math.min(length, size - at));
      if (at < blockAt || at + want > blockAt + block.length) {
        block = readAt(fd, at, Math.min(Math.max(want, BLOCK), size - at));
        blockAt = at;
      }
      return block.subarray(at - blockAt, at - blockAt + want);
    },
  };
}

function readAt(fd: number, at: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, at + got);
    if (n === 0) break;
    got += n;
  }
  return buffer.subarray(0, got);
}

/** 22376 -> "22,376", for messages. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
