/**
 * Builds dist/ once when it is older than src/, so CLI tests can run alone
 * (`npx vitest run test/cli`) and still spawn current code. Parallel test
 * workers share one build through a lock directory; type errors in files
 * being written elsewhere do not stop tsc from emitting.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STAMP = join(ROOT, "dist", ".build-stamp");
const LOCK = join(ROOT, "dist", ".build-lock");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }, 0);
}

function stampMtime(): number {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return 0;
  }
}

async function withLock(fn: () => void): Promise<void> {
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than two minutes belongs to a killed worker.
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (Date.now() > deadline || age > 120_000) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function ensureBuilt(): Promise<void> {
  await withLock(() => {
    const started = Date.now();
    if (stampMtime() > newestMtime(join(ROOT, "src"))) return;
    try {
      execFileSync(process.execPath, [TSC, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "pipe" });
    } catch {
      // Emitted anyway; a missing entry point will fail the tests that need it, loudly.
    }
    // Dated when the build started, so a file saved during the build triggers the next one.
    writeFileSync(STAMP, "");
    utimesSync(STAMP, started / 1000, started / 1000);
  });
}
