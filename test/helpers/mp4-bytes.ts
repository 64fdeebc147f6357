import { randomBytes } from "node:crypto";

/** Bytes of mp4HeadFor: an ftyp box, an empty moov and the header of an mdat that fills the rest. */
export const MP4_HEAD_BYTES = 40;

/**
 * The first bytes of a clip-shaped file of `size` bytes: they pass the video
 * sniff, and the structure check once the mdat's `size - 40` bytes follow.
 */
export function mp4HeadFor(size: number): Buffer {
  const head = Buffer.alloc(MP4_HEAD_BYTES);
  head.writeUInt32BE(24, 0);
  head.write("ftypisom", 4, "latin1");
  head.writeUInt32BE(8, 24);
  head.write("moov", 28, "latin1");
  head.writeUInt32BE(size - 32, 32);
  head.write("mdat", 36, "latin1");
  return head;
}

/** A clip-shaped file of `size` bytes, its mdat noise: whole by its structure, and cut anywhere it is not. */
export function fakeMp4(size: number): Buffer {
  return Buffer.concat([mp4HeadFor(size), randomBytes(size - MP4_HEAD_BYTES)]);
}
