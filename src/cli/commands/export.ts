import { unapprovedLine } from "../../app/approved.js";
import { exportApproved } from "../../app/export.js";
import { ShotlistError } from "../../errors.js";
import { counted, printable } from "../../text.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { BATCH_LOCATION_OPTIONS } from "../options.js";

export const exportCommand = defineCommand({
  name: "export",
  summary: "copy one clip of each approved shot into a folder, numbered in manifest order, with a selects list; --concat joins them",
  usage: "shotlist export <manifest> --to DIR [--concat FILE] [--profile NAME] [--out DIR] [--state FILE]",
  notes: [
    "Each approved shot's chosen take under the profile (none: the run without one), else its first done take, as NN-<shot-id>.mp4",
    "(hard-linked where the file system allows, else copied), with selects.json and selects.csv. --concat needs ffmpeg.",
  ],
  options: {
    ...BATCH_LOCATION_OPTIONS,
    to: { flag: "to", kind: "string", arg: "DIR", help: "the folder the selects go to (required)" },
    concat: { flag: "concat", kind: "string", arg: "FILE", help: "also join the selects, in order, into one animatic with ffmpeg" },
  },
  examples: [
    { line: "shotlist export shots.yaml --to selects/", does: "the approved clips, numbered, with selects.json and selects.csv" },
    { line: "shotlist export shots.yaml --to selects/ --concat animatic.mp4", does: "also joined into one animatic (needs ffmpeg)" },
  ],
  environment: ["PATH"],
  positionals: 1,
  async run(ctx, { to, concat, ...location }) {
    if (to === undefined) throw new ShotlistError("usage", "export needs --to DIR: the folder the selects go to");
    const outcome = await exportApproved({ manifestPath: ctx.positionals[0] as string, ...location, to, ...(concat === undefined ? {} : { concat }) });
    const copied = outcome.selects.length - outcome.linked;
    const how = [outcome.linked > 0 ? `${outcome.linked} hard-linked` : "", copied > 0 ? `${copied} copied` : ""].filter((s) => s !== "").join(", ");
    const lines = [
      `exported ${counted(outcome.selects.length, "clip")} to ${printable(outcome.to)}${how === "" ? "" : ` (${how})`}, listed in selects.json and selects.csv`,
    ];
    const list = (items: { shot: string; reason: string }[]): string => items.map((u) => `${printable(u.shot)} (${u.reason})`).join(", ");
    const unapproved = unapprovedLine(outcome.unapproved);
    if (unapproved !== undefined) lines.push(printable(unapproved));
    if (outcome.missing.length > 0) lines.push(`approved but no clip to export: ${list(outcome.missing)}; run it, then export again`);
    if (outcome.animatic !== undefined) {
      const { path, method, duration } = outcome.animatic;
      lines.push(`animatic: ${printable(path)} (${counted(outcome.selects.length, "clip")}, ${duration.toFixed(1)} s, ${method})`);
    } else if (concat !== undefined) {
      lines.push("no animatic: there is no clip to join");
    }
    ctx.stdout.write(`${lines.join("\n")}\n`);
    return outcome.missing.length > 0 ? EXIT.failedShots : EXIT.ok;
  },
});
