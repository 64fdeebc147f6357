import { formatProblem } from "../../src/errors.js";
import { expandManifest } from "../../src/manifest/expand.js";
import type { Batch } from "../../src/manifest/job.js";
import { validateManifest } from "../../src/manifest/validate.js";

export const FILE = "shots.yaml";

/**
 * A manifest written inline: the common indentation is removed, so a test can
 * show the YAML as the user would write it and the line numbers it expects.
 * Line 1 is the line after the opening backtick.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, "");
  const indent = Math.min(...text.split("\n").filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return text.split("\n").map((l) => l.slice(indent)).join("\n");
}

/** A valid manifest head with the given shots block (YAML list items, two-space indented). */
export function withShots(shots: string, head = "model: seedance-1.5-pro"): string {
  return `version: 1\nname: test\n${head}\nshots:\n${shots}`;
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
