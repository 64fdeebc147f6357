import type { JobRow } from "../model/rows.js";
import type { DeliveryJson } from "./json-schema.js";
import { countByState, formatStateCounts } from "./state-counts.js";
import { counted } from "../text.js";

const HEADER = ["shot", "take", "state", "task id", "attempts", "progress", "error", "file"] as const;

function cells(job: JobRow): string[] {
  const error = [job.error_class, job.error_code].filter((part) => part !== null).join(" ");
  return [
    job.shot_id,
    String(job.take),
    job.state,
    job.task_id ?? "-",
    String(job.attempts),
    // Progress belongs to the task being generated; elsewhere it is stale or meaningless.
    job.state === "generating" ? `${job.progress}%` : "-",
    error === "" ? "-" : error,
    job.output_path ?? "-",
  ];
}

/**
 * `shotlist status`: one aligned row per job, from the database alone, then
 * a counts line. Columns are padded with spaces; lines carry no trailing blanks.
 *
 *   shot           take  state       task id   attempts  progress  error   file
 *   s01-opening    1     done        task-1    1         -         -       s01-opening_1.mp4
 *   s02-detective  1     generating  task-2    1         40%       -       -
 *
 *   2 jobs: 1 generating, 1 done
 */
export function formatStatusTable(jobs: readonly JobRow[], deliveries: ReadonlyMap<string, readonly DeliveryJson[]> = new Map()): string {
  if (jobs.length === 0) return "No jobs.";
  // A batch that delivers to object storage shows where each clip went, in a last column.
  const delivered = (job: JobRow): string[] =>
    deliveries.size === 0 ? [] : [(deliveries.get(job.key) ?? []).map((d) => (d.state === "delivered" ? d.url : `${d.state} ${d.url}`)).join(", ") || "-"];
  const header = deliveries.size === 0 ? [...HEADER] : [...HEADER, "delivered"];
  const rows = [header, ...jobs.map((job) => [...cells(job), ...delivered(job)])];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
  return `${lines.join("\n")}\n\n${counted(jobs.length, "job")}: ${formatStateCounts(countByState(jobs))}`;
}
