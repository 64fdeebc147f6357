/**
 * The structure check on real clips: assets/test-pattern.mp4 (H.264 + AAC,
 * made with ffmpeg; its boxes: ftyp, moov, free, mdat) and
 * fixtures/test-pattern.webm, made once from it with the ffmpeg 7.0.2 binary
 * of the imageio-ffmpeg wheel:
 *   ffmpeg -i assets/test-pattern.mp4 -c:v libvpx -b:v 40k -c:a libopus -b:a 16k -ar 48000
 *          -fflags +bitexact -map_metadata -1 test-pattern.webm
 * Every other case is one of the two, cut or rewritten by a helper below.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkClipStructure } from "../../src/download/clip-structure.js";
import { ResultFile } from "../../src/sim/content.js";

const MP4 = readFileSync(new URL("../../assets/test-pattern.mp4", import.meta.url));
const WEBM = readFileSync(new URL("./fixtures/test-pattern.webm", import.meta.url));
/** Where the test pattern's boxes are (offset, size), as its header walk shows. */
const FREE = 2162;
const MDAT = 2170;
const MDAT_SIZE = 20_206;
/** The WebM's Segment: its id at 36, its 8-byte size at 40. */
const SEGMENT_SIZE = 40;

const dir = mkdtempSync(join(tmpdir(), "shotlist-structure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** Writes `bytes` to a file and checks it, as the download does its part. */
function check(bytes: Buffer): ReturnType<typeof checkClipStructure> {
  const path = join(dir, `clip-${++files}`);
  writeFileSync(path, bytes);
  return checkClipStructure(path);
}

function reasonFor(bytes: Buffer): string {
  const structure = check(bytes);
  expect(structure.ok).toBe(false);
  return structure.ok ? "" : structure.reason;
}

/** The test pattern with 4 header bytes at `at` replaced by `size`. */
function withSize(at: number, size: number): Buffer {
  const copy = Buffer.from(MP4);
  copy.writeUInt32BE(size, at);
  return copy;
}

/**
 * The test pattern laid out as ffmpeg writes it without +faststart: ftyp,
 * free, mdat, then moov, with every chunk offset moved to match.
 */
function moovLast(): Buffer {
  const ftyp = MP4.subarray(0, 32);
  const moov = Buffer.from(MP4.subarray(32, FREE));
  const rest = MP4.subarray(FREE);
  for (let at = moov.indexOf("stco"); at !== -1; at = moov.indexOf("stco", at + 4)) {
    const entries = moov.readUInt32BE(at + 8);
    for (let i = 0; i < entries; i++) moov.writeUInt32BE(moov.readUInt32BE(at + 12 + 4 * i) - moov.length, at + 12 + 4 * i);
  }
  return Buffer.concat([ftyp, rest, moov]);
}

describe("an MP4", () => {
  it("passes whole", () => {
    expect(check(MP4)).toEqual({ ok: true });
    expect(check(moovLast())).toEqual({ ok: true });
  });

  it("fails cut inside its mdat, saying how long its boxes say it is", () => {
    expect(reasonFor(MP4.subarray(0, 11_188))).toBe("it is cut short inside its mdat box: its boxes describe 22,376 bytes, 11,188 arrived");
  });

  it("fails cut inside the mdat of a file whose moov comes last, saying the moov is missing", () => {
    const file = moovLast();
    expect(reasonFor(file.subarray(0, 11_188))).toBe(
      "it is cut short inside its mdat box: its boxes describe 20,246 bytes, 11,188 arrived; it has no moov box",
    );
  });

  it("fails cut inside its moov", () => {
    expect(reasonFor(MP4.subarray(0, 1000))).toBe("it is cut short inside its moov box: its boxes describe 2,162 bytes, 1,000 arrived; it has no mdat box");
  });

  it("fails cut in the middle of a box header", () => {
    expect(reasonFor(MP4.subarray(0, MDAT + 4))).toBe("the box header at byte 2,170 is cut short (4 of its 8 bytes); it has no mdat box");
  });

  it("fails cut exactly between two boxes, before the mdat", () => {
    expect(reasonFor(MP4.subarray(0, MDAT))).toBe("it has no mdat box");
  });

  it("fails with one stray byte after its last box", () => {
    expect(reasonFor(Buffer.concat([MP4, Buffer.from([0])]))).toBe("the box header at byte 22,376 is cut short (1 of its 8 bytes)");
  });

  it("fails when a box claims less than its own header", () => {
    expect(reasonFor(withSize(FREE, 4))).toBe("the free box at byte 2,162 claims 4 bytes, less than its own header; it has no mdat box");
  });

  it("fails when a box inside the moov runs past the moov's end", () => {
    expect(reasonFor(withSize(148, 5000))).toBe("its moov box is damaged: the trak box at byte 148 runs past its end");
  });

  it("fails when the moov points at media outside the mdat", () => {
    // The mdat shrunk to 10,000 bytes, the rest of its media hidden in a free box.
    const file = withSize(MDAT, 10_000);
    file.writeUInt32BE(MDAT_SIZE - 10_000, MDAT + 10_000);
    file.write("free", MDAT + 10_004, "latin1");
    expect(reasonFor(file)).toMatch(/^track 1 has media at byte [\d,]+, outside the mdat box; track 2 has media at byte [\d,]+, outside the mdat box$/);
  });

  it("passes with its mdat in the 64-bit largesize form", () => {
    // ffmpeg's own trick: the 8-byte free box before the mdat makes room for the longer header, so no offset moves.
    const file = Buffer.from(MP4);
    file.writeUInt32BE(1, FREE);
    file.write("mdat", FREE + 4, "latin1");
    file.writeBigUInt64BE(BigInt(MDAT_SIZE + 8), FREE + 8);
    expect(check(file)).toEqual({ ok: true });
    expect(reasonFor(file.subarray(0, FREE + 12))).toBe("the box header at byte 2,162 is cut short (12 of its 16 bytes); it has no mdat box");
  });

  it("passes with a last box of size 0, which runs to the end of the file", () => {
    expect(check(withSize(MDAT, 0))).toEqual({ ok: true });
  });
});

describe("the simulator's results", () => {
  it("pass as they are and padded, their padding inside a free box", () => {
    for (const padTo of [null, 1024 * 1024]) {
      expect(check(Buffer.concat([...new ResultFile("task-unified-1-abc", padTo).chunks()]))).toEqual({ ok: true });
    }
  });

  it("pass padded past 4 GiB (a largesize free box), read by their headers only", () => {
    const file = new ResultFile("task-unified-1-abc", 5 * 1024 ** 3);
    const path = join(dir, "huge.mp4");
    // The head holds every header; the rest of the free box is left sparse, never written.
    writeFileSync(path, Buffer.concat([...file.chunks(0, 64 * 1024)]));
    truncateSync(path, file.size);
    expect(checkClipStructure(path)).toEqual({ ok: true });
  });
});

describe("a WebM", () => {
  it("passes whole", () => {
    expect(check(WEBM)).toEqual({ ok: true });
  });

  it("fails cut inside its Segment, saying how long the Segment says it is", () => {
    expect(reasonFor(WEBM.subarray(0, 8000))).toBe("it is cut short inside its Segment: its elements describe 16,616 bytes, 8,000 arrived");
  });

  it("fails cut in its EBML header, and with a stray byte after its Segment", () => {
    expect(reasonFor(WEBM.subarray(0, 20))).toBe("it is cut short inside its EBML header: its elements describe 36 bytes, 20 arrived");
    expect(reasonFor(Buffer.concat([WEBM, Buffer.from([0])]))).toBe("the element at byte 16,616 has no valid header");
  });

  it("fails with no Segment at all", () => {
    expect(reasonFor(WEBM.subarray(0, 36))).toBe("it has no Segment element");
  });

  it("passes with a Segment of unknown size (written as it streamed), cut or not: nothing can tell", () => {
    const live = Buffer.from(WEBM);
    live.writeBigUInt64BE(0x01ff_ffff_ffff_ffffn, SEGMENT_SIZE);
    expect(check(live)).toEqual({ ok: true });
    expect(check(live.subarray(0, 8000))).toEqual({ ok: true });
  });
});
