import { formatProblem, type Problem } from "../../errors.js";
import type { Batch } from "../../manifest/job.js";
import { loadBatch } from "../../manifest/load.js";
import { printable } from "../../text.js";
import type { CommandContext, OutputStream } from "../command.js";

/** Loads the manifest named by the first argument under the profile; warnings go to stderr, errors are thrown. */
export async function loadManifestArg(ctx: CommandContext, options: { profile?: string; checkUrls?: boolean }): Promise<Batch> {
  const { batch, warnings } = await loadBatch(ctx.positionals[0] as string, options);
  writeWarnings(ctx.stderr, warnings);
  return batch;
}

/** One line per warning; they echo the manifest's text, so its control characters are shown as U+FFFD. */
export function writeWarnings(stream: OutputStream, warnings: readonly Problem[]): void {
  if (warnings.length > 0) stream.write(warnings.map((w) => `${printable(formatProblem(w))}\n`).join(""));
}
