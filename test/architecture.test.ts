/**
 * The folders of src/ and which may import which: data flows one way, so a
 * lower folder never imports a higher one. A new folder must be placed here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");
const MIDDLE = ["manifest", "store", "api", "download", "deliver"];

/** Folder -> the folders it may import (besides itself, src/errors.ts and node or npm packages). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  model: [],
  ...Object.fromEntries(MIDDLE.map((folder) => [folder, ["model", ...MIDDLE]])),
  sim: ["model", "api"],
  runner: ["model", ...MIDDLE],
  report: ["model", ...MIDDLE, "runner"],
  review: ["model", ...MIDDLE, "runner", "report"],
  app: ["model", ...MIDDLE, "runner", "report", "review", "sim"],
  cli: ["model", ...MIDDLE, "runner", "report", "review", "sim", "app"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The top folder under src/ of a path, or "" for a file at src/'s root. */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split("/");
  return parts.length > 1 ? (parts[0] ?? "") : "";
}

/** Every relative import and re-export of a file, resolved to absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)"|^\s*import\s+"(\.[^"]+)"/gms)];
  return specifiers.map((m) => resolve(dirname(file), m[1] ?? m[2] ?? ""));
}

describe("the folders of src/", () => {
  const files = sourceFiles(SRC);

  it("are each placed in the table of what may import what", () => {
    const folders = new Set(files.map(folderOf).filter((f) => f !== ""));
    expect([...folders].filter((f) => !(f in MAY_IMPORT))).toEqual([]);
  });

  it("import only from their own folder or from the folders below them", () => {
    const wrong = files.flatMap((file) => {
      const from = folderOf(file);
      const allowed = new Set([from, "", ...(MAY_IMPORT[from] ?? [])]);
      return importsOf(file)
        .filter((target) => !allowed.has(folderOf(target)))
        .map((target) => `${relative(SRC, file)} imports ${relative(SRC, target)}`);
    });
    expect(wrong).toEqual([]);
  });

  it("find the imports they check (the scan itself works)", () => {
    expect(importsOf(join(SRC, "runner/scheduler.ts")).map((p) => relative(SRC, p))).toContain("runner/job-book.js");
  });
});
