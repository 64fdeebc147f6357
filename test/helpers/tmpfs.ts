/**
 * A small real filesystem that fills up: tmpfs, mounted for one test (root
 * only, as on the project's machines and CI). Where mounting is refused, the
 * tests that need it are skipped visibly (describe.skipIf(!canMountTmpfs)).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onTestFinished } from "vitest";

function mount(dir: string, bytes: number): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: "ignore" });
}

export const canMountTmpfs: boolean = (() => {
  const dir = mkdtempSync(join(tmpdir(), "shotlist-tmpfs-probe-"));
  const ok = mount(dir, 64 * 1024);
  if (ok) unmount(dir);
  rmSync(dir, { recursive: true, force: true });
  return ok;
})();

/** A folder on a tmpfs of `bytes`, unmounted and removed when the test ends. */
export function tmpfsOf(bytes: number): string {
  const dir = mkdtempSync(join(tmpdir(), "shotlist-tmpfs-"));
  if (!mount(dir, bytes)) throw new Error(`could not mount a tmpfs at ${dir} (root is needed)`);
  onTestFinished(() => {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
