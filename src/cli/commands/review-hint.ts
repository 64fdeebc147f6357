import type { OptionValues } from "../command.js";
import { printable } from "../../text.js";

/** The batch-locating flags `review` shares with `run`: the hint repeats those the run was given. */
const LOCATION_FLAGS = ["profile", "out", "state"] as const;

/** A word as a POSIX shell reads it: quoted only when it has to be. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** "review the takes: shotlist review manifests/demo.yaml --open": the command that opens the gallery of what a run just rendered. */
export function reviewHint(manifestPath: string, values: OptionValues): string {
  const words = ["shotlist", "review", manifestPath];
  for (const flag of LOCATION_FLAGS) {
    const value = values[flag];
    if (typeof value === "string") words.push(`--${flag}`, value);
  }
  return `review the takes: ${printable(words.map(shellWord).join(" "))} --open`;
}
