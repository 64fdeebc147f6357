import { summaryLine } from "../../manifest/summary.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { PROFILE_OPTION } from "../options.js";
import { loadManifestArg } from "./load-manifest.js";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "check a manifest against every model rule without sending anything",
  usage: "shotlist validate <manifest> [--profile NAME]",
  options: {
    profile: { ...PROFILE_OPTION, help: "expand with this profile (every profile is checked either way)" },
  },
  positionals: 1,
  async run(ctx, options) {
    const batch = await loadManifestArg(ctx, options);
    ctx.stdout.write(`ok ${summaryLine(batch)}\n`);
    return EXIT.ok;
  },
});
