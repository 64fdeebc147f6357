import { formatProblem } from "../../src/errors.js";
import { expandManifest } from "../../src/manifest/expand.js";
import type { Batch } from "../../src/manifest/job.js";
import { validateManifest } from "../../src/manifest/validate.js";

export const FILE = "shots.yaml";

/** The text with the leading newline and the indentation its lines share removed. */
function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").split("\n");
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join("\n");
}

/**
 * A manifest written inline: the common indentation is removed, so a test can
 * show the YAML as the user would write it and the line numbers it expects.
 * Line 1 is the line after the opening backtick.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  return dedent(String.raw({ raw: strings }, ...values));
}

/**
 * A valid manifest with the given shots (YAML list items, at any indentation:
 * they are set two spaces in, as a user writes them) under a standard head:
 *
 *   1  version: 1
 *   2  name: test
 *   3  model: seedance-1.5-pro      <- `head`, which may take more lines
 *   4  shots:
 *   5  the first line of `shots`    <- one line later per extra line of `head`
 */
export function withShots(shots: string, head = "model: seedance-1.5-pro"): string {
  const items = dedent(shots)
    .split("\n")
    .map((l) => (l.trim() === "" ? "" : `  ${l}`))
    .join("\n");
  return `version: 1\nname: test\n${head}\nshots:\n${items}`;
}

/** Every problem the validator reports, formatted as the CLI prints them. */
export function problemsOf(text: string): string[] {
  const result = validateManifest(text, FILE);
  return (result.ok ? result.warnings : result.problems).map(formatProblem);
}

export function errorsOf(text: string): string[] {
  return problemsOf(text).filter((p) => !p.includes(" warning: "));
}

export function batchOf(text: string, profile: string | null = null): Batch {
  const result = validateManifest(text, FILE);
  if (!result.ok) throw new Error(`expected a valid manifest, got:\n${result.problems.map(formatProblem).join("\n")}`);
  return expandManifest(result.manifest, profile);
}
