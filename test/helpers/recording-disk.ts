import { basename } from "node:path";
import { nodeDisk, type Disk } from "../../src/download/index.js";

/**
 * The real file system's durable steps, each written down as it happens
 * ("fsync take-01.json.123.tmp", "rename a -> b", "sync-dir s01", by base
 * name), so a test can check their order: a file flushed before it is
 * renamed, a sidecar on disk before its clip takes its name.
 */
export function recordingDisk(): Disk & { steps: string[] } {
  const steps: string[] = [];
  return {
    steps,
    async fsync(fd, path) {
      await nodeDisk.fsync(fd, path);
      steps.push(`fsync ${basename(path)}`);
    },
    rename(from, to) {
      nodeDisk.rename(from, to);
      steps.push(`rename ${basename(from)} -> ${basename(to)}`);
    },
    async syncDir(dir) {
      await nodeDisk.syncDir(dir);
      steps.push(`sync-dir ${basename(dir)}`);
    },
  };
}
