import { ManifestError } from "../../errors.js";
import { loadBatch } from "../../manifest/load.js";
import { summaryLine } from "../../manifest/summary.js";
import { jsonLine, problemJson, profileJson, SCHEMA_VERSION, type ValidateJson } from "../../report/index.js";
import { defineCommand } from "../command.js";
import { EXIT, exitCodeFor } from "../exit-codes.js";
import { JSON_OPTION, PROFILE_OPTION } from "../options.js";
import { loadManifestArg } from "./load-manifest.js";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "check a manifest against every model rule without sending anything",
  usage: "shotlist validate <manifest> [--profile NAME] [--check-urls] [--json]",
  options: {
    profile: { ...PROFILE_OPTION, help: "expand with this profile (every profile is checked either way)" },
    checkUrls: { flag: "check-urls", kind: "boolean", help: "also ask each remote media URL (HEAD) whether it is reachable, of its type and size" },
    json: { ...JSON_OPTION, help: "print the outcome and every problem (file, line, column, shot, message) as JSON" },
  },
  examples: [
    { line: "shotlist validate shots.yaml", does: "every problem with file:line:col and shot id" },
    { line: "shotlist validate shots.yaml --profile final --check-urls", does: "the final profile, also asking each remote media URL" },
  ],
  environment: [],
  positionals: 1,
  async run(ctx, { json, ...options }) {
    const path = ctx.positionals[0] as string;
    if (!json) {
      ctx.stdout.write(`ok ${summaryLine(await loadManifestArg(ctx, options))}\n`);
      return EXIT.ok;
    }
    const result: ValidateJson = { schema_version: SCHEMA_VERSION, ok: false, batch: null, profile: profileJson(options.profile), jobs: null, problems: [] };
    try {
      const { batch, warnings } = await loadBatch(path, options);
      ctx.stdout.write(jsonLine({ ...result, ok: true, batch: batch.name, jobs: batch.jobs.length, problems: warnings.map(problemJson) }));
      return EXIT.ok;
    } catch (err) {
      // Anything but the manifest's own problems (no such file is one) is the command's error, as JSON by main.ts.
      if (!(err instanceof ManifestError)) throw err;
      ctx.stdout.write(jsonLine({ ...result, problems: err.problems.map(problemJson) }));
      return exitCodeFor(err);
    }
  },
});
