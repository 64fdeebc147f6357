import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** The README's top-level section under `heading` (e.g. "## Commands"), up to the next one. */
export function readmeSection(heading: string): string {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}
