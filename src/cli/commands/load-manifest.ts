import { formatProblem } from "../../errors.js";
import type { Batch } from "../../manifest/job.js";
import { loadBatch } from "../../manifest/load.js";
import type { CommandContext } from "../command.js";

/** Loads the manifest named by the first argument under --profile; warnings go to stderr, errors are thrown. */
export async function loadManifestArg(ctx: CommandContext): Promise<Batch> {
  const profile = typeof ctx.values.profile === "string" ? ctx.values.profile : undefined;
  const { batch, warnings } = await loadBatch(ctx.positionals[0] as string, profile === undefined ? {} : { profile });
  for (const warning of warnings) ctx.stderr.write(`${formatProblem(warning)}\n`);
  return batch;
}
