/**
 * Tells a video file from an error page by its first bytes: hosts serve
 * expired or blocked results as HTML or JSON with status 200.
 */

/** Bytes kept from the start of a download: enough to decide, and to show what came instead. */
export const SNIFF_BYTES = 32;

/** ISO-BMFF (mp4, mov): a box size, then `ftyp` at offset 4. */
const FTYP = Buffer.from("ftyp", "latin1");
/** EBML header of WebM / Matroska. */
const EBML = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export function isVideoHead(head: Buffer): boolean {
  return head.subarray(4, 8).equals(FTYP) || isWebmHead(head);
}

export function isWebmHead(head: Buffer): boolean {
  return head.subarray(0, 4).equals(EBML);
}

/** A short, printable view of what came instead, for the error message. */
export function describeHead(head: Buffer): string {
  return JSON.stringify(head.toString("latin1").replace(/[^\x20-\x7e]/g, "."));
}
