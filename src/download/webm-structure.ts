/**
 * Whether a WebM (Matroska) file is whole, from its top-level elements: the
 * EBML header, then the Segment that holds everything else, whose size must
 * reach exactly the file's end. A Segment written as it streamed may say
 * "unknown size" (to the end of the file): then nothing here can tell a cut,
 * and the file is accepted.
 */
import { count, type ByteSource } from "./byte-source.js";

const SEGMENT = 0x18538067;
const NAMES: Readonly<Record<number, string>> = { 0x1a45dfa3: "EBML header", [SEGMENT]: "Segment" };

/** What is wrong with the WebM in `src`; none when it is whole, or cannot be told. */
export function webmProblems(src: ByteSource): string[] {
  let segment = false;
  for (let pos = 0; pos < src.size;) {
    const id = vint(src, pos, 4);
    if (typeof id === "string") return [`the element at byte ${count(pos)} ${id}`];
    const size = vint(src, pos + id.length, 8);
    if (typeof size === "string") return [`the element at byte ${count(pos)} ${size}`];
    const name = NAMES[id.raw] ?? `element 0x${id.raw.toString(16)}`;
    segment ||= id.raw === SEGMENT;
    if (size.value === undefined) return [];
    const end = pos + id.length + size.length + size.value;
    if (end > src.size) return [`it is cut short inside its ${name}: its elements describe ${count(end)} bytes, ${count(src.size)} arrived`];
    pos = end;
  }
  return segment ? [] : ["it has no Segment element"];
}

/**
 * The EBML variable-length integer at `pos`: its first byte's leading zeros
 * say how many bytes it has. `raw` keeps the length marker (as element ids
 * are written); `value` drops it, and is undefined when every bit is set
 * ("unknown size"). A string says what is wrong.
 */
function vint(src: ByteSource, pos: number, maxLength: number): { length: number; raw: number; value: number | undefined } | string {
  const first = src.read(pos, 1)[0];
  if (first === undefined) return "is cut short";
  const length = Math.clz32(first) - 23;
  if (length > maxLength) return "has no valid header";
  const bytes = src.read(pos, length);
  if (bytes.length < length) return "is cut short";
  let raw = 0n;
  for (const byte of bytes) raw = (raw << 8n) | BigInt(byte);
  const value = raw & ((1n << BigInt(7 * length)) - 1n);
  return { length, raw: Number(raw), value: value === (1n << BigInt(7 * length)) - 1n ? undefined : Number(value) };
}
