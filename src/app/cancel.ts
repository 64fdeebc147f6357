/**
 * `shotlist cancel`: stops the tasks of a batch that are still rendering at
 * the API, so they stop costing. It finds the batch's state as `run` does,
 * takes the state file's lock (a runner that died leaves it; a live one
 * keeps it, and cancel refuses), sends the API's cancel for every selected
 * job whose task is in flight, and records each one the API cancelled as
 * `cancelled` (run --retry-failed renders them again). The API may offer no
 * cancel (none is documented): a 404 or 405 is said, and nothing changes.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { ApiError, createApiClient } from "../api/index.js";
import { defaultStatePath } from "../deliver/index.js";
import { ShotlistError } from "../errors.js";
import { loadBatch } from "../manifest/load.js";
import type { Selection } from "../manifest/select.js";
import type { JobRow } from "../model/rows.js";
import { openStore } from "../store/index.js";

export interface CancelOptions extends Selection {
  manifestPath: string;
  profile?: string;
  outDir: string;
  statePath?: string;
  endpoint: { baseUrl: string; apiKey: string };
  requestTimeoutMs?: number;
}

export interface CancelResult {
  statePath: string;
  /** Jobs whose task the API cancelled, now `cancelled`. */
  cancelled: JobRow[];
  /** Jobs whose task the API would not cancel (it finished meanwhile): left for the next run to collect. */
  refused: { job: JobRow; why: string }[];
}

export async function cancelTasks(options: CancelOptions): Promise<CancelResult> {
  const { batch } = await loadBatch(options.manifestPath, options);
  const statePath = options.statePath === undefined ? defaultStatePath(resolve(options.outDir), batch.name) : resolve(options.statePath);
  const result: CancelResult = { statePath, cancelled: [], refused: [] };
  if (!existsSync(statePath)) return result;
  const store = openStore(statePath);
  try {
    store.lease.acquire();
    const selected = new Set(batch.jobs.map((job) => job.key));
    const rendering = store
      .listJobs(batch.name, batch.profile ?? "")
      .filter((row) => selected.has(row.key) && row.state === "generating" && row.task_id !== null);
    const api = createApiClient({ ...options.endpoint, ...(options.requestTimeoutMs === undefined ? {} : { timeoutMs: options.requestTimeoutMs }) });
    try {
      for (const row of rendering) {
        const taskId = row.task_id as string;
        const refusal = await api.cancelTask(taskId).then(
          () => undefined,
          (err: unknown) => refusalOf(err, result),
        );
        if (refusal !== undefined) {
          result.refused.push({ job: row, why: refusal });
          continue;
        }
        store.commit([
          {
            id: { batch: row.batch, profile: row.profile, key: row.key },
            move: { from: "generating", to: "cancelled" },
            patch: { finished_at_ms: Date.now(), error_class: null, error_code: null, error_message: "cancelled with shotlist cancel" },
            event: { kind: "cancelled", detail: { task_id: taskId, by: "shotlist cancel" } },
          },
        ]);
        result.cancelled.push({ ...row, state: "cancelled" });
      }
    } finally {
      await api.close();
    }
  } finally {
    store.close();
  }
  return result;
}

/**
 * Why the API would not cancel a task: a 400 (it finished meanwhile) is the
 * task's answer and the others go on; 404/405 means the API has no cancel,
 * said once, with what was already cancelled; anything else ends the command.
 */
function refusalOf(err: unknown, sofar: CancelResult): string {
  if (!(err instanceof ApiError)) throw err;
  if (err.status === 404 || err.status === 405) {
    const done = sofar.cancelled.length === 0 ? "nothing was changed" : `only the ${sofar.cancelled.length} cancelled before it are recorded`;
    throw new ShotlistError(
      "not_offered",
      `the API offers no cancel (it answered ${err.status} to POST /v1/tasks/{id}/cancel): ${done}; the tasks keep rendering (and are billed), and the next run collects them`,
    );
  }
  if (err.status === 400 || err.status === 409) return err.apiMessage ?? err.message;
  throw err;
}
