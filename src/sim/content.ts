import { createHash } from "node:crypto";
import { seededRandom } from "./faults.js";
import { testPatternClip, type ClipLook } from "./test-patterns.js";

/**
 * The bytes a task's result URL serves: a test-pattern clip of the request's
 * aspect ratio and duration (test-patterns.ts) followed
 * by one top-level mp4 `free` box (players skip it) that carries the task id,
 * then deterministic padding up to the requested size. Every task's file is
 * thus distinct, playable and reproducible, and a 1 GiB file is generated as
 * it streams instead of being held in memory.
 */

/** The look of a file made without a request: the demo's 16:9, 4 s. */
const PLAIN: ClipLook = { aspectRatio: "16:9", duration: 4, variant: 0 };
const BLOCK = 64 * 1024;

export class ResultFile {
  readonly size: number;
  /** Clip, free-box header and label: everything before the padding. */
  private readonly head: Buffer;
  private readonly pattern: Buffer;

  constructor(taskId: string, padTo: number | null, look: ClipLook = PLAIN) {
    const clip = testPatternClip(look);
    const label = Buffer.from(`shotlist-sim task ${taskId}\n`);
    const wanted = (padTo ?? 0) - clip.length;
    // A box over 4 GiB needs the 64-bit "largesize" header form.
    const headerLength = wanted > 0xffffffff ? 16 : 8;
    const boxSize = Math.max(headerLength + label.length, wanted);
    const header = Buffer.alloc(headerLength);
    if (headerLength === 8) {
      header.writeUInt32BE(boxSize, 0);
    } else {
      header.writeUInt32BE(1, 0);
      header.writeBigUInt64BE(BigInt(boxSize), 8);
    }
    header.write("free", 4, "latin1");
    this.head = Buffer.concat([clip, header, label]);
    this.size = clip.length + boxSize;
    this.pattern = patternFor(taskId);
  }

  /** The bytes from `start` to `end` (exclusive), in chunks of at most 64 KiB. */
  *chunks(start = 0, end = this.size): Generator<Buffer> {
    let pos = start;
    if (pos < this.head.length) {
      const stop = Math.min(end, this.head.length);
      yield this.head.subarray(pos, stop);
      pos = stop;
    }
    while (pos < end) {
      const offset = pos - this.head.length;
      const index = Math.floor(offset / BLOCK);
      const from = offset % BLOCK;
      const stop = Math.min(end, this.head.length + (index + 1) * BLOCK);
      yield this.block(index).subarray(from, from + stop - pos);
      pos = stop;
    }
  }

  sha256(): string {
    const hash = createHash("sha256");
    for (const chunk of this.chunks()) hash.update(chunk);
    return hash.digest("hex");
  }

  /**
   * Padding block `index`: the task's pattern with the block number in its
   * first 8 bytes, so bytes written at the wrong offset change the hash.
   */
  private block(index: number): Buffer {
    const block = Buffer.from(this.pattern);
    block.writeBigUInt64BE(BigInt(index), 0);
    return block;
  }
}

function patternFor(taskId: string): Buffer {
  const random = seededRandom(createHash("sha256").update(taskId).digest().readUInt32BE(0));
  const pattern = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i += 4) pattern.writeUInt32BE(Math.floor(random() * 0x100000000), i);
  return pattern;
}
