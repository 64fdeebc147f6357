import { cancelTasks } from "../../app/cancel.js";
import { jobLabel } from "../../report/job-facts.js";
import { printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { apiEndpoint } from "../endpoint.js";
import { EXIT } from "../exit-codes.js";
import { BATCH_LOCATION_OPTIONS, SELECTION_OPTIONS } from "../options.js";

export const cancelCommand = defineCommand({
  name: "cancel",
  summary: "stop the batch's tasks still rendering at the API, and record them cancelled",
  usage: "shotlist cancel <manifest> [--profile NAME] [--only PATTERN] [--except PATTERN] [--out DIR] [--state FILE] [--json]",
  options: {
    ...BATCH_LOCATION_OPTIONS,
    ...SELECTION_OPTIONS,
    json: { flag: "json", kind: "boolean", help: "print what was cancelled as JSON" },
  },
  examples: [
    { line: "shotlist cancel shots.yaml", does: "stop every task of the batch still rendering" },
    { line: "shotlist cancel shots.yaml --profile draft --except s01", does: "only the draft renders, leaving s01 alone" },
  ],
  environment: ["EVOLINK_API_KEY", "EVOLINK_BASE_URL"],
  positionals: 1,
  async run(ctx, { json, ...location }) {
    const result = await cancelTasks({ manifestPath: ctx.positionals[0] as string, ...location, endpoint: apiEndpoint(ctx.env) });
    const label = (row: { shot_id: string; take: number; task_id: string | null }): string => `${jobLabel(row)} ${row.task_id ?? ""}`;
    if (json) {
      ctx.stdout.write(
        `${JSON.stringify(
          {
            state: result.statePath,
            cancelled: result.cancelled.map((row) => ({ shot: row.shot_id, take: row.take, key: row.key, task_id: row.task_id })),
            refused: result.refused.map(({ job, why }) => ({ shot: job.shot_id, take: job.take, key: job.key, task_id: job.task_id, why })),
          },
          null,
          2,
        )}\n`,
      );
      return EXIT.ok;
    }
    const lines = [
      result.cancelled.length === 0
        ? "no task was rendering: nothing to cancel"
        : `cancelled ${result.cancelled.length}: ${result.cancelled.map(label).join(", ")}`,
      ...result.refused.map(({ job, why }) => `not cancelled ${label(job)}: ${printable(why)} (the next run collects it)`),
      `state: ${printable(result.statePath)}`,
    ];
    ctx.stdout.write(`${lines.join("\n")}\n`);
    return EXIT.ok;
  },
});
