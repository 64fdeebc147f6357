import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** SHA-256 and size of a file, streamed: memory stays flat whatever its size. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const { bytes } = await feedHash(hash, path);
  return { bytes, sha256: hash.digest("hex") };
}

/**
 * Streams a file into `hash` (left undigested, so a resumed download can go
 * on hashing) and returns its size and first `headBytes` bytes.
 */
export async function feedHash(hash: Hash, path: string, headBytes = 0): Promise<{ bytes: number; head: Buffer }> {
  let bytes = 0;
  let head = Buffer.alloc(0);
  await pipeline(
    createReadStream(path),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        if (head.length < headBytes) head = Buffer.concat([head, chunk.subarray(0, headBytes - head.length)]);
        bytes += chunk.length;
        callback();
      },
    }),
  );
  return { bytes, head };
}
