/** Which object store a run delivers to (the --deliver flag wins over the manifest's `deliver.to`), opened and probed. */
import { loadS3Mirror, parseTarget, type ClipMirror } from "../deliver/index.js";
import { ShotlistError } from "../errors.js";
import type { Batch } from "../manifest/job.js";

export interface DeliveryTarget {
  to: string;
  settings: NonNullable<Batch["deliver"]>;
}

/** The run's delivery target, or undefined for none; a --deliver that is not s3://BUCKET/PREFIX is refused before anything runs. */
export function deliveryTarget(batch: Batch, flag: string | undefined): DeliveryTarget | undefined {
  const to = flag ?? batch.deliver?.to;
  if (to === undefined) return undefined;
  const parsed = parseTarget(to);
  if (typeof parsed === "string") throw new ShotlistError("usage", `--deliver ${parsed} (got ${JSON.stringify(to)})`);
  return { to, settings: { ...batch.deliver, to } };
}

/** The mirror for the target, once its probe (a small object written and deleted under the prefix) passed; closed if it did not. */
export async function openMirror(target: DeliveryTarget, batch: Batch, root: string, env: NodeJS.ProcessEnv): Promise<ClipMirror> {
  const mirror = await loadS3Mirror({ target: target.to, settings: target.settings, env, root, batch: batch.name });
  try {
    await mirror.probe();
    return mirror;
  } catch (err) {
    mirror.close();
    throw err;
  }
}
