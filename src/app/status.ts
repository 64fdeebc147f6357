import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadBatch } from "../manifest/load.js";
import type { Selection } from "../manifest/select.js";
import type { Batch } from "../manifest/job.js";
import { openStore } from "../store/index.js";
import type { DeliveryRow, JobRow } from "../model/index.js";
import { defaultStatePath } from "../deliver/index.js";

export interface StatusResult {
  batch: Batch;
  statePath: string;
  /** Whether the state file exists: false until a run of the batch made it. */
  recorded: boolean;
  /** Rows of the manifest's current jobs that have a checkpoint, in manifest order. */
  jobs: JobRow[];
  /** Jobs of the manifest that no run has recorded yet. */
  notStarted: number;
  /** Where the batch's clips went after the batch folder (object storage), every target. */
  deliveries: DeliveryRow[];
}

/** The state of every job of a manifest, from the state database alone: no network, no lock. */
export async function readStatus(options: { manifestPath: string; profile?: string; outDir: string; statePath?: string } & Selection): Promise<StatusResult> {
  const { batch } = await loadBatch(options.manifestPath, options);
  const statePath = options.statePath === undefined ? defaultStatePath(resolve(options.outDir), batch.name) : resolve(options.statePath);
  if (!existsSync(statePath)) return { batch, statePath, recorded: false, jobs: [], notStarted: batch.jobs.length, deliveries: [] };
  const store = openStore(statePath);
  try {
    const byKey = new Map(store.listJobs(batch.name, batch.profile ?? "").map((row) => [row.key, row]));
    const jobs = batch.jobs.flatMap((job) => byKey.get(job.key) ?? []);
    return {
      batch,
      statePath,
      recorded: true,
      jobs,
      notStarted: batch.jobs.length - jobs.length,
      deliveries: store.listDeliveries(batch.name, batch.profile ?? ""),
    };
  } finally {
    store.close();
  }
}
