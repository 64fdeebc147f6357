/**
 * Room on disk before a create: a task is paid for the moment it is created,
 * so a create is only sent when the filesystems of the state file and of the
 * clips can take the state's next writes and every clip already on its way.
 * What "enough" is comes from decide.ts (roomShortfall); this reads the disks.
 */
import { statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";

export interface RoomSettings {
  /** The state file, and the folder the clips go to (either may not exist yet). */
  statePath: string;
  clipsPath: string;
  /** Kept free for the state file's next writes (its WAL, the events). @default 16 MiB */
  stateReserveBytes?: number;
  /** Counted per clip on its way when no clip of the batch was saved yet, and at the least. @default 16 MiB */
  clipFloorBytes?: number;
}

export interface Filesystem {
  /** The path as the user gave it, for the message. */
  path: string;
  device: number;
  freeBytes: number;
}

/** The filesystem a path is (or will be) on: its nearest existing ancestor's. */
export function filesystemOf(path: string): Filesystem {
  let at = path;
  for (;;) {
    try {
      const { bavail, bsize } = statfsSync(at);
      return { path, device: statSync(at).dev, freeBytes: bavail * bsize };
    } catch (err) {
      const parent = dirname(at);
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || parent === at) throw err;
      at = parent;
    }
  }
}

/** Human-sized bytes for a notice: "38 MB". */
export function megabytes(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1_000_000))} MB`;
}
