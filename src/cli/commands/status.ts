import { creditsCount } from "../../manifest/estimate.js";
import { readStatus, type StatusResult } from "../../app/status.js";
import {
  creditsNotFailed,
  deliveriesByKey,
  formatStatusTable,
  jobJson,
  jsonLine,
  profileJson,
  SCHEMA_VERSION,
  type DeliveryJson,
  type StatusJson,
} from "../../report/index.js";
import { countByState } from "../../report/state-counts.js";
import { counted, printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { BATCH_LOCATION_OPTIONS, JSON_OPTION, SELECTION_OPTIONS } from "../options.js";

export const statusCommand = defineCommand({
  name: "status",
  summary: "show the state of every job of a manifest, from the state database alone",
  usage: "shotlist status <manifest> [--profile NAME] [--only PATTERN] [--except PATTERN] [--out DIR] [--state FILE] [--json] [--exit-code]",
  options: {
    ...BATCH_LOCATION_OPTIONS,
    ...SELECTION_OPTIONS,
    json: { ...JSON_OPTION, help: "print the batch and its jobs as JSON (README: JSON output)" },
    exitCode: { flag: "exit-code", kind: "boolean", help: "exit 1 unless every job of the manifest is done (for scripts and cron)" },
  },
  examples: [
    { line: "shotlist status shots.yaml", does: "every job's state and the credits reserved so far" },
    { line: "shotlist status shots.yaml --profile draft --json", does: "the same for the draft profile, as JSON" },
    { line: "shotlist status shots.yaml --exit-code", does: "exit 1 unless every job is done (for cron)" },
  ],
  environment: [],
  positionals: 1,
  async run(ctx, { json, exitCode, ...location }) {
    const status = await readStatus({ manifestPath: ctx.positionals[0] as string, ...location });
    const allDone = status.notStarted === 0 && status.jobs.every((j) => j.state === "done");
    const deliveries = deliveriesByKey(status.deliveries);
    // Reservations of the current tasks that did not fail: what the batch holds or was billed so far.
    const credits = creditsNotFailed(status.jobs);
    if (json) ctx.stdout.write(jsonLine(statusJson(status, allDone, credits, deliveries)));
    else if (!status.recorded) ctx.stdout.write(`${nothingRanYet(status, location)}\n`);
    else {
      const totals = `${counted(status.notStarted, "job")} not started yet · ${creditsCount(credits)} reserved so far`;
      ctx.stdout.write(`${formatStatusTable(status.jobs, deliveries)}\n${totals} · state: ${printable(status.statePath)}\n`);
    }
    return exitCode && !allDone ? EXIT.failedShots : EXIT.ok;
  },
});

function statusJson(status: StatusResult, allDone: boolean, credits: number, deliveries: ReadonlyMap<string, DeliveryJson[]>): StatusJson {
  return {
    schema_version: SCHEMA_VERSION,
    batch: status.batch.name,
    profile: profileJson(status.batch.profile),
    state_path: status.recorded ? status.statePath : null,
    counts: countByState(status.jobs),
    not_started: status.notStarted,
    all_done: allDone,
    credits_reserved: credits,
    jobs: status.jobs.map((job) => jobJson(job, deliveries)),
  };
}

/** Where no run has been yet, as the user named it: the --out folder, or the --state file. */
function nothingRanYet(status: StatusResult, location: { outDir: string; statePath?: string }): string {
  const where = location.statePath === undefined ? `in ${location.outDir}` : `with state file ${location.statePath}`;
  return printable(`nothing has run for this manifest ${where} yet (${counted(status.notStarted, "job")} to render)`);
}
