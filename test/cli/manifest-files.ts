import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp folder for manifests written by one test file; remove() in afterAll. */
export function manifestDir(): { write(name: string, text: string): string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "shotlist-cli-"));
  return {
    write(name, text) {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
