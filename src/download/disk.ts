/**
 * The file-system steps the download module shares: the three whose order
 * makes a write durable, and the wrappers that turn a failed step into a disk
 * DownloadError naming its path.
 */
import { closeSync, fsync, openSync, renameSync } from "node:fs";
import { promisify } from "node:util";
import { diskError } from "./download-error.js";

/**
 * Flushing a file, giving it its name, flushing the folder that names it: a
 * crash keeps a file's new name only if its bytes were flushed first. Callers
 * take these from one object so a test can watch their order; every other
 * step calls the file system directly.
 */
export interface Disk {
  /** Flushes an open file's bytes to the device; `path` is the file's, for whoever watches. */
  fsync(fd: number, path: string): Promise<void>;
  rename(from: string, to: string): void;
  /** Makes the renames in `dir` durable. */
  syncDir(dir: string): Promise<void>;
}

const fsyncAsync = promisify(fsync);

export const nodeDisk: Disk = {
  fsync: (fd) => fsyncAsync(fd),
  rename: renameSync,
  syncDir,
};

/** Some platforms cannot open a directory for fsync: the rename stands anyway. */
async function syncDir(dir: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(dir, "r");
  } catch {
    return;
  }
  try {
    await fsyncAsync(fd).catch(() => undefined);
  } finally {
    closeSync(fd);
  }
}

/** Runs a file-system step, turning its errors into disk DownloadErrors naming `path`. */
export async function onDisk<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw diskError(err, path);
  }
}

export function onDiskSync<T>(path: string, step: () => T): T {
  try {
    return step();
  } catch (err) {
    throw diskError(err, path);
  }
}
