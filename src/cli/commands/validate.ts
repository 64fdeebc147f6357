import { summaryLine } from "../../manifest/summary.js";
import type { Command } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { loadManifestArg } from "./load-manifest.js";

export const validateCommand: Command = {
  name: "validate",
  summary: "check a manifest against every model rule without sending anything",
  usage: "shotlist validate <manifest> [--profile NAME]",
  optionHelp: ["--profile NAME   expand with this profile (every profile is checked either way)"],
  options: { profile: { type: "string" } },
  positionals: 1,
  async run(ctx) {
    const batch = await loadManifestArg(ctx);
    ctx.stdout.write(`ok ${summaryLine(batch)}\n`);
    return EXIT.ok;
  },
};
