/**
 * A saved file as the structure checks read it: positioned reads of a few
 * bytes at a time, never the whole file (clips can be 1 GiB).
 */
import { readSync } from "node:fs";

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes from `at`: fewer where the file ends. */
  read(at: number, length: number): Buffer;
}

/**
 * Reads an open file. Synchronous: the checks make a few dozen reads of a
 * file just written, from the page cache, each cheaper than a promise.
 */
export function fileSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(at, length) {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - at)));
      let got = 0;
      while (got < buffer.length) {
        const n = readSync(fd, buffer, got, buffer.length - got, at + got);
        if (n === 0) break;
        got += n;
      }
      return buffer.subarray(0, got);
    },
  };
}

/** 22376 -> "22,376", for messages. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}
