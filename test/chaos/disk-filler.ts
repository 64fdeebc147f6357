/**
 * A disk that fills and empties under the chaos run: a ballast file on the
 * run's tmpfs is grown and cut at seeded random moments, so the CLI finds
 * now room, now too little room to create (its room check pauses creates),
 * now none at all (SQLite refuses commits with SQLITE_FULL while the WAL
 * grows, downloads hit ENOSPC). Real bytes on a real filesystem: nothing in
 * the CLI is told.
 */
import { open, rm, statfs, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { seededRandom } from "../../src/sim/faults.js";

export type DiskPhase = "room" | "tight" | "full";

export interface DiskFiller {
  /** The phases it went through, in order, with how long each lasted (ms). */
  readonly phases: { phase: DiskPhase; ms: number }[];
  /** Stops changing the disk and removes the ballast: the runs after it find room. */
  stop(): Promise<void>;
}

const CHUNK = Buffer.alloc(1024 * 1024);

/**
 * Starts changing the disk at `dir`. "tight" leaves `tightFreeBytes` free
 * (less than one create needs, more than the state file's next writes);
 * "full" leaves nothing.
 */
export function fillAtRandom(dir: string, options: { seed: number; tightFreeBytes: number; minMs: number; maxMs: number }): DiskFiller {
  const random = seededRandom(options.seed ^ 0xd15c);
  const path = join(dir, "ballast");
  const phases: { phase: DiskPhase; ms: number }[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> = Promise.resolve();

  const next = (): void => {
    // Room half the time; a full disk briefly, as every refused commit backs off (1 s, 2 s, ...) before it is tried again.
    const draw = random();
    const phase: DiskPhase = draw < 0.5 ? "room" : draw < 0.8 ? "tight" : "full";
    const ms = Math.round((options.minMs + random() * (options.maxMs - options.minMs)) * (phase === "full" ? 0.5 : 1));
    phases.push({ phase, ms });
    busy = setPhase(path, dir, phase, options.tightFreeBytes).then(() => {
      if (!stopped) timer = setTimeout(next, ms);
    });
  };
  next();
  return {
    phases,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await busy;
      await rm(path, { force: true });
    },
  };
}

async function setPhase(path: string, dir: string, phase: DiskPhase, tightFreeBytes: number): Promise<void> {
  await rm(path, { force: true });
  if (phase === "room") return;
  const { bavail, bsize } = await statfs(dir);
  const target = phase === "full" ? Infinity : bavail * bsize - tightFreeBytes;
  const file = await open(path, "w");
  try {
    await writeUpTo(file, target);
  } finally {
    await file.close();
  }
}

/** Writes zeros (real pages: a sparse file would take no room) until `bytes` or the disk is full. */
async function writeUpTo(file: FileHandle, bytes: number): Promise<void> {
  for (let written = 0; written < bytes;) {
    const length = Math.min(CHUNK.length, bytes - written);
    try {
      written += (await file.write(CHUNK, 0, length)).bytesWritten;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOSPC") return;
      throw err;
    }
  }
}
