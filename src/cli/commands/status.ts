import { formatStatusTable } from "../../report/index.js";
import { readStatus } from "../../runner/status.js";
import type { Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { flag, stringOption } from "../options.js";

export const statusCommand: Command = {
  name: "status",
  summary: "show the state of every job of a manifest, from the state database alone",
  usage: "shotlist status <manifest> [--profile NAME] [--out DIR] [--state FILE] [--json]",
  optionHelp: [
    "--profile NAME   the profile the run used",
    "--out DIR        output folder the run used (default ./out)",
    "--state FILE     state database (default <out>/<batch>/.shotlist/state.db)",
    "--json           print the rows as JSON",
  ],
  options: {
    profile: { type: "string" },
    out: { type: "string" },
    state: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: 1,
  async run(ctx) {
    const profile = stringOption(ctx.values, "profile");
    const statePath = stringOption(ctx.values, "state");
    const status = await readStatus({
      manifestPath: ctx.positionals[0] as string,
      outDir: stringOption(ctx.values, "out") ?? "out",
      ...(profile === undefined ? {} : { profile }),
      ...(statePath === undefined ? {} : { statePath }),
    });
    if (flag(ctx.values, "json")) {
      ctx.stdout.write(`${JSON.stringify({ batch: status.batch.name, profile: status.batch.profile, state: status.statePath, not_started: status.notStarted, jobs: status.jobs }, null, 2)}\n`);
    } else {
      ctx.stdout.write(`${formatStatusTable(status.jobs)}\n${status.notStarted} job(s) not started yet · state: ${status.statePath}\n`);
    }
    return EXIT.ok;
  },
};
