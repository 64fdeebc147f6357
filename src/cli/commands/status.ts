import { creditsText } from "../../manifest/estimate.js";
import { creditsNotFailed, formatStatusTable, reportDeliveries } from "../../report/index.js";
import { readStatus } from "../../app/status.js";
import { printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { BATCH_LOCATION_OPTIONS, SELECTION_OPTIONS } from "../options.js";

export const statusCommand = defineCommand({
  name: "status",
  summary: "show the state of every job of a manifest, from the state database alone",
  usage: "shotlist status <manifest> [--profile NAME] [--only PATTERN] [--except PATTERN] [--out DIR] [--state FILE] [--json]",
  options: {
    ...BATCH_LOCATION_OPTIONS,
    ...SELECTION_OPTIONS,
    json: { flag: "json", kind: "boolean", help: "print the rows as JSON" },
  },
  positionals: 1,
  async run(ctx, { json, ...location }) {
    const status = await readStatus({ manifestPath: ctx.positionals[0] as string, ...location });
    const deliveries = reportDeliveries(status.deliveries);
    // Reservations of the current tasks that did not fail: what the batch holds or was billed so far.
    const credits = creditsNotFailed(status.jobs);
    if (json) {
      // Each job with where its clip went after the batch folder (object storage, every target).
      const jobs = status.deliveries.length === 0 ? status.jobs : status.jobs.map((job) => ({ ...job, deliveries: deliveries.get(job.key) ?? [] }));
      const { batch, statePath, notStarted } = status;
      ctx.stdout.write(
        `${JSON.stringify({ batch: batch.name, profile: batch.profile, state: statePath, not_started: notStarted, credits_reserved: credits, jobs }, null, 2)}\n`,
      );
    } else {
      ctx.stdout.write(
        `${formatStatusTable(status.jobs, deliveries)}\n${status.notStarted} job(s) not started yet · ${creditsText(credits)} credits reserved so far · state: ${printable(status.statePath)}\n`,
      );
    }
    return EXIT.ok;
  },
});
