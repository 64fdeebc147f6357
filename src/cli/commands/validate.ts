import { summaryLine } from "../../manifest/summary.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { PROFILE_OPTION } from "../options.js";
import { loadManifestArg } from "./load-manifest.js";

export const validateCommand = defineCommand({
  name: "validate",
  summary: "check a manifest against every model rule without sending anything",
  usage: "shotlist validate <manifest> [--profile NAME] [--check-urls]",
  options: {
    profile: { ...PROFILE_OPTION, help: "expand with this profile (every profile is checked either way)" },
    checkUrls: { flag: "check-urls", kind: "boolean", help: "also ask each remote media URL (HEAD) whether it is reachable, of its type and size" },
  },
  positionals: 1,
  async run(ctx, options) {
    const batch = await loadManifestArg(ctx, options);
    ctx.stdout.write(`ok ${summaryLine(batch)}\n`);
    return EXIT.ok;
  },
});
