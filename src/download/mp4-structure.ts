/**
 * Whether an MP4 (ISO-BMFF) file is whole, from its box headers: the
 * top-level boxes must tile the file exactly, the moov box (the index of the
 * media) must be there, and so must the mdat it points into. A file cut at
 * any byte fails one of these: inside a box, that box runs past the end;
 * between two boxes, the moov or the mdat is missing.
 */
import { count, type ByteSource } from "./byte-source.js";

interface Box {
  type: string;
  start: number;
  /** Where its content begins, past the 8- or 16-byte header. */
  body: number;
  end: number;
}

/** Box types are four printable characters; anything else is not a box header. */
const BOX_TYPE = /^[\x20-\x7e]{4}$/;

/** What is wrong with the MP4 in `src`; none when it is whole. */
export function mp4Problems(src: ByteSource): string[] {
  const boxes: Box[] = [];
  for (let pos = 0; pos < src.size;) {
    const box = boxAt(src, pos, src.size);
    if (typeof box === "string") return [box, ...missing(boxes)];
    if (box.end > src.size) {
      // The box cut short is there in part: it is not also reported missing.
      return [
        `it is cut short inside its ${box.type} box: its boxes describe ${count(box.end)} bytes, ${count(src.size)} arrived`,
        ...missing([...boxes, box]),
      ];
    }
    boxes.push(box);
    pos = box.end;
  }
  const absent = missing(boxes);
  return absent.length > 0 ? absent : mediaOutside(src, boxes);
}

function missing(boxes: readonly Box[]): string[] {
  return ["moov", "mdat"].filter((type) => !boxes.some((b) => b.type === type)).map((type) => `it has no ${type} box`);
}

/**
 * The box whose header is at `pos`, or what is wrong there. `end` is where
 * its parent ends (the file, for a top-level box): a size of 0 reaches it.
 */
function boxAt(src: ByteSource, pos: number, end: number): Box | string {
  const head = src.read(pos, Math.min(16, end - pos));
  const cut = (need: number): string => `the box header at byte ${count(pos)} is cut short (${head.length} of its ${need} bytes)`;
  if (head.length < 8) return cut(8);
  const type = head.toString("latin1", 4, 8);
  if (!BOX_TYPE.test(type)) return `there is no box at byte ${count(pos)}: its header names no box type`;
  const size32 = head.readUInt32BE(0);
  // 1: the real size follows as a 64-bit "largesize", for boxes past 4 GiB.
  if (size32 === 1 && head.length < 16) return cut(16);
  const header = size32 === 1 ? 16 : 8;
  const size = size32 === 1 ? Number(head.readBigUInt64BE(8)) : size32 === 0 ? end - pos : size32;
  if (size < header) return `the ${type} box at byte ${count(pos)} claims ${count(size)} bytes, less than its own header`;
  return { type, start: pos, body: pos + header, end: pos + size };
}

/** The boxes inside `parent`, which must tile it as the top-level boxes tile the file. */
function children(src: ByteSource, parent: Box): Box[] | string {
  const found: Box[] = [];
  for (let pos = parent.body; pos < parent.end;) {
    const box = boxAt(src, pos, parent.end);
    if (typeof box === "string") return `its ${parent.type} box is damaged: ${box}`;
    if (box.end > parent.end) return `its ${parent.type} box is damaged: the ${box.type} box at byte ${count(pos)} runs past its end`;
    found.push(box);
    pos = box.end;
  }
  return found;
}

/**
 * Whether each track's media lies inside an mdat: the moov lists where every
 * chunk of samples starts (stco, or co64 past 4 GiB), and the last chunk is
 * the farthest in the files encoders write, so one read per track tells.
 */
function mediaOutside(src: ByteSource, boxes: readonly Box[]): string[] {
  const moov = boxes.find((b) => b.type === "moov") as Box;
  const mdats = boxes.filter((b) => b.type === "mdat");
  const tracks = children(src, moov);
  if (typeof tracks === "string") return [tracks];
  const problems: string[] = [];
  tracks
    .filter((b) => b.type === "trak")
    .forEach((trak, i) => {
      const offset = lastChunkOffset(src, trak);
      if (typeof offset === "string") problems.push(offset);
      else if (offset !== undefined && !mdats.some((m) => offset >= m.body && offset < m.end)) {
        problems.push(`track ${i + 1} has media at byte ${count(offset)}, outside the mdat box`);
      }
    });
  return problems;
}

/** Where the track's last chunk starts; undefined for a track with none (a fragmented file's). */
function lastChunkOffset(src: ByteSource, trak: Box): number | string | undefined {
  let box = trak;
  for (const type of ["mdia", "minf", "stbl", "stco|co64"]) {
    const inside = children(src, box);
    if (typeof inside === "string") return inside;
    const next = inside.find((b) => type.split("|").includes(b.type));
    if (next === undefined) return undefined;
    box = next;
  }
  const width = box.type === "co64" ? 8 : 4;
  // A full box: version and flags, the entry count, then the offsets.
  const entries = src.read(box.body + 4, 4);
  const n = entries.length === 4 ? entries.readUInt32BE(0) : 0;
  if (n === 0) return undefined;
  const at = box.body + 8 + (n - 1) * width;
  if (at + width > box.end) return `its ${box.type} box at byte ${count(box.start)} lists ${count(n)} chunks but holds fewer`;
  const last = src.read(at, width);
  return width === 8 ? Number(last.readBigUInt64BE(0)) : last.readUInt32BE(0);
}
