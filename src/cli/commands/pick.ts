import { recordPicks, type PickRequest } from "../../app/picks.js";
import { ShotlistError } from "../../errors.js";
import { show } from "../../manifest/problem.js";
import { picksPathFor } from "../../review/picks.js";
import { printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { PROFILE_OPTION } from "../options.js";

export const pickCommand = defineCommand({
  name: "pick",
  summary: "record review decisions from the command line: a take number, approve, reject or clear per shot",
  usage: "shotlist pick <manifest> [--profile NAME] <shot>=<N/approve/reject/clear> ...",
  notes: ["A take number picks that take (under --profile) and approves the shot. Decisions go to <manifest>.picks.yaml."],
  options: { profile: PROFILE_OPTION },
  examples: [
    { line: "shotlist pick shots.yaml --profile draft s01=2 s02=approve", does: "pick take 2 of s01 under draft, approve s02" },
    { line: "shotlist pick shots.yaml s03=reject s04=clear", does: "reject s03, forget the decision on s04" },
  ],
  environment: [],
  positionals: [2, Infinity],
  async run(ctx, { profile }) {
    const [manifestPath, ...words] = ctx.positionals as [string, ...string[]];
    const requests = words.map((word): PickRequest => {
      const at = word.indexOf("=");
      if (at <= 0) throw new ShotlistError("usage", `expected <shot>=<N/approve/reject/clear>, got ${show(word)}`);
      return { shotId: word.slice(0, at), what: word.slice(at + 1) };
    });
    const said = await recordPicks(manifestPath, profile, requests);
    ctx.stdout.write(`${said.map(printable).join("\n")}\nsaved: ${printable(picksPathFor(manifestPath))}\n`);
    return EXIT.ok;
  },
});
