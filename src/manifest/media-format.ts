/**
 * What a media file really is, from its first bytes (never its name), and an
 * image's size from its header. The formats are the ones the API takes:
 * PNG, JPEG and WebP images, MP4/MOV video, MP3 and WAV audio.
 */

export type MediaKind = "image" | "video" | "audio";

export interface MediaFormat {
  name: "png" | "jpeg" | "webp" | "mp4" | "mov" | "mp3" | "wav";
  kind: MediaKind;
  contentType: string;
}

export interface Dimensions {
  width: number;
  height: number;
}

/** Bytes read from the front of a file: enough for every header below, JPEG's segments before its frame header included. */
export const HEAD_BYTES = 256 * 1024;

const FORMATS = {
  png: { name: "png", kind: "image", contentType: "image/png" },
  jpeg: { name: "jpeg", kind: "image", contentType: "image/jpeg" },
  webp: { name: "webp", kind: "image", contentType: "image/webp" },
  mp4: { name: "mp4", kind: "video", contentType: "video/mp4" },
  mov: { name: "mov", kind: "video", contentType: "video/quicktime" },
  mp3: { name: "mp3", kind: "audio", contentType: "audio/mpeg" },
  wav: { name: "wav", kind: "audio", contentType: "audio/wav" },
} as const satisfies Record<string, MediaFormat>;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Boxes a QuickTime file may open with instead of `ftyp`. */
const QUICKTIME_FIRST_BOXES = new Set(["moov", "mdat", "wide", "free", "skip", "pnot"]);

const ascii = (head: Buffer, start: number, end: number): string => head.toString("latin1", start, end);

/** The file's format, or undefined when it is none of those the API takes. */
export function sniffFormat(head: Buffer): MediaFormat | undefined {
  if (head.length >= 8 && head.subarray(0, 8).equals(PNG_SIGNATURE)) return FORMATS.png;
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return FORMATS.jpeg;
  if (head.length >= 12 && ascii(head, 0, 4) === "RIFF") {
    const form = ascii(head, 8, 12);
    if (form === "WEBP") return FORMATS.webp;
    if (form === "WAVE") return FORMATS.wav;
  }
  if (head.length >= 12 && ascii(head, 4, 8) === "ftyp") return ascii(head, 8, 12) === "qt  " ? FORMATS.mov : FORMATS.mp4;
  if (head.length >= 8 && QUICKTIME_FIRST_BOXES.has(ascii(head, 4, 8))) return FORMATS.mov;
  if (head.length >= 3 && ascii(head, 0, 3) === "ID3") return FORMATS.mp3;
  // An MPEG audio frame: 11 sync bits, then a layer that is not "reserved".
  if (head.length >= 2 && head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0 && ((head[1] ?? 0) & 0x06) !== 0) return FORMATS.mp3;
  return undefined;
}

/** An image's width and height from its header, or undefined when the header is cut short or broken. */
export function imageDimensions(head: Buffer, format: MediaFormat["name"]): Dimensions | undefined {
  const found = format === "png" ? pngSize(head) : format === "jpeg" ? jpegSize(head) : format === "webp" ? webpSize(head) : undefined;
  return found !== undefined && found.width > 0 && found.height > 0 ? found : undefined;
}

function pngSize(head: Buffer): Dimensions | undefined {
  if (head.length < 24 || ascii(head, 12, 16) !== "IHDR") return undefined;
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

/** Walks the segments to the first frame header (SOF0..SOF15, not DHT, JPG or DAC, which share the range). */
function jpegSize(head: Buffer): Dimensions | undefined {
  let at = 2;
  while (at + 4 <= head.length) {
    if (head[at] !== 0xff) return undefined;
    const marker = head[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = head.readUInt16BE(at + 2);
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) return at + 9 <= head.length ? { height: head.readUInt16BE(at + 5), width: head.readUInt16BE(at + 7) } : undefined;
    if (length < 2) return undefined;
    at += 2 + length;
  }
  return undefined;
}

function webpSize(head: Buffer): Dimensions | undefined {
  if (head.length < 30) return undefined;
  const chunk = ascii(head, 12, 16);
  if (chunk === "VP8 ") return { width: head.readUInt16LE(26) & 0x3fff, height: head.readUInt16LE(28) & 0x3fff };
  if (chunk === "VP8L") {
    const bits = head.readUInt32LE(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") return { width: head.readUIntLE(24, 3) + 1, height: head.readUIntLE(27, 3) + 1 };
  return undefined;
}
