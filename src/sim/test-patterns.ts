import { readFileSync } from "node:fs";

/**
 * The clips the simulator serves: one small test pattern per aspect ratio and
 * variant (assets/sim/, made by scripts/make-test-patterns.sh), stretched to
 * the requested duration at serve time. Stretching rewrites a few numbers in
 * a copy of the moov (the one frame duration in stts, the track's and the
 * movie's durations), so it costs a 20 KB copy, never an encode: the frames
 * just show longer. The assets are made simple enough for that: constant
 * frame rate, no B-frames, no edit list.
 */

/** The assets' aspect ratios; "adaptive" (the model picks one) gets the 16:9 clip. */
const SHAPES: Readonly<Record<string, string>> = { "16:9": "16x9", "9:16": "9x16", "1:1": "1x1", "4:3": "4x3", "3:4": "3x4", "21:9": "21x9" };
export const VARIANTS = ["a", "b", "c"] as const;

export interface ClipLook {
  aspectRatio: string;
  /** Seconds. */
  duration: number;
  /** Which of the VARIANTS, counted modulo their number. */
  variant: number;
}

/** Where the numbers that say how long the clip lasts sit in the asset, found once per asset. */
interface TimingFields {
  movieTimescale: number;
  mediaTimescale: number;
  frames: number;
  /** Offsets of each field, and whether it is 64-bit (a version 1 box). */
  movieDuration: Field;
  trackDuration: Field;
  mediaDuration: Field;
  frameDelta: number;
}

interface Field {
  at: number;
  wide: boolean;
}

interface Asset {
  bytes: Buffer;
  timing: TimingFields;
}

const loaded = new Map<string, Asset>();

/** The clip for `look`: its asset's bytes with the moov rewritten to last `look.duration` seconds. */
export function testPatternClip(look: ClipLook): Buffer {
  const asset = assetFor(SHAPES[look.aspectRatio] ?? "16x9", VARIANTS[look.variant % VARIANTS.length] ?? "a");
  const { timing } = asset;
  const clip = Buffer.from(asset.bytes);
  const delta = Math.max(1, Math.round((look.duration * timing.mediaTimescale) / timing.frames));
  const mediaDuration = delta * timing.frames;
  const movieDuration = Math.round((mediaDuration * timing.movieTimescale) / timing.mediaTimescale);
  clip.writeUInt32BE(delta, timing.frameDelta);
  write(clip, timing.mediaDuration, mediaDuration);
  write(clip, timing.movieDuration, movieDuration);
  write(clip, timing.trackDuration, movieDuration);
  return clip;
}

function write(clip: Buffer, field: Field, value: number): void {
  if (field.wide) clip.writeBigUInt64BE(BigInt(value), field.at);
  else clip.writeUInt32BE(value, field.at);
}

function assetFor(shape: string, variant: string): Asset {
  const name = `${shape}-${variant}.mp4`;
  let asset = loaded.get(name);
  if (asset === undefined) {
    const bytes = readFileSync(new URL(`../../assets/sim/${name}`, import.meta.url));
    asset = { bytes, timing: timingOf(bytes, name) };
    loaded.set(name, asset);
  }
  return asset;
}

/** Body offsets of the boxes on the path moov/trak/... that the retiming touches. */
function timingOf(bytes: Buffer, name: string): TimingFields {
  const fail = (why: string): never => {
    throw new Error(`assets/sim/${name} cannot be retimed: ${why} (remake it with scripts/make-test-patterns.sh)`);
  };
  const find = (path: string[], from = 0, to = bytes.length): number => {
    const [type, ...rest] = path;
    for (let pos = from; pos + 8 <= to;) {
      const size = bytes.readUInt32BE(pos);
      if (size < 8) return fail(`the box at byte ${pos} has size ${size}`);
      if (bytes.toString("latin1", pos + 4, pos + 8) === type) return rest.length === 0 ? pos + 8 : find(rest, pos + 8, pos + size);
      pos += size;
    }
    return fail(`it has no ${type} box`);
  };
  const mvhd = find(["moov", "mvhd"]);
  const tkhd = find(["moov", "trak", "tkhd"]);
  const mdhd = find(["moov", "trak", "mdia", "mdhd"]);
  const stts = find(["moov", "trak", "mdia", "minf", "stbl", "stts"]);
  // Versions 0 and 1 of these full boxes differ in the width of their times (32 or 64 bits).
  const wide = (body: number): boolean => bytes.readUInt8(body) === 1;
  const timescaleAt = (body: number): number => body + (wide(body) ? 20 : 12);
  if (bytes.readUInt32BE(stts + 4) !== 1) fail("its frames do not all last the same (stts has more than one entry)");
  const moov = find(["moov"]);
  if (bytes.subarray(moov, moov - 8 + bytes.readUInt32BE(moov - 8)).includes("elst", 0, "latin1")) fail("it has an edit list");
  return {
    movieTimescale: bytes.readUInt32BE(timescaleAt(mvhd)),
    mediaTimescale: bytes.readUInt32BE(timescaleAt(mdhd)),
    frames: bytes.readUInt32BE(stts + 8),
    movieDuration: { at: timescaleAt(mvhd) + 4, wide: wide(mvhd) },
    trackDuration: { at: tkhd + (wide(tkhd) ? 28 : 20), wide: wide(tkhd) },
    mediaDuration: { at: timescaleAt(mdhd) + 4, wide: wide(mdhd) },
    frameDelta: stts + 12,
  };
}
