import { formatProblem } from "../../errors.js";
import type { Batch } from "../../manifest/job.js";
import { loadBatch } from "../../manifest/load.js";
import type { CommandContext } from "../command.js";

/** Loads the manifest named by the first argument under the profile; warnings go to stderr, errors are thrown. */
export async function loadManifestArg(ctx: CommandContext, options: { profile?: string }): Promise<Batch> {
  const { batch, warnings } = await loadBatch(ctx.positionals[0] as string, options);
  for (const warning of warnings) ctx.stderr.write(`${formatProblem(warning)}\n`);
  return batch;
}
