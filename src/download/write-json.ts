import { closeSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { nodeDisk, type Disk } from "./disk.js";

/**
 * Writes JSON so that a reader, or a run after a power cut, finds the old
 * file or the new one whole, never half of one nor an empty one: the JSON
 * goes to a temporary file beside it (named by this process, so concurrent
 * writers never share one), is flushed to the device, renamed over the
 * target, and the folder is flushed so the rename survives. Without the first
 * flush the rename can reach the disk before the bytes do. The folder must
 * exist; on failure the temporary file is removed and the error thrown as is.
 */
export async function writeJsonDurably(path: string, value: unknown, disk: Disk = nodeDisk): Promise<void> {
  await writeFileDurably(path, `${JSON.stringify(value, null, 2)}\n`, disk);
}

/** writeJsonDurably's steps for any text (a YAML file a person also edits). */
export async function writeFileDurably(path: string, text: string, disk: Disk = nodeDisk): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // The open and the write are synchronous: a few bytes to the page cache cost less than a promise.
    const fd = openSync(tmp, "w");
    try {
      writeFileSync(fd, text);
      await disk.fsync(fd, tmp);
    } finally {
      closeSync(fd);
    }
    disk.rename(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  await disk.syncDir(dirname(path));
}
