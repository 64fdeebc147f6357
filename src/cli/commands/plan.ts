import type { Batch } from "../../manifest/job.js";
import { totalsOf } from "../../manifest/summary.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { PROFILE_OPTION } from "../options.js";
import { loadManifestArg } from "./load-manifest.js";

export const planCommand = defineCommand({
  name: "plan",
  summary: "list the jobs a run would send, with the seconds of video and audio they bill",
  usage: "shotlist plan <manifest> [--profile NAME] [--json]",
  options: {
    profile: PROFILE_OPTION,
    json: { flag: "json", kind: "boolean", help: "print the jobs and totals as JSON" },
  },
  positionals: 1,
  async run(ctx, options) {
    const batch = await loadManifestArg(ctx, options);
    ctx.stdout.write(options.json ? `${JSON.stringify(planJson(batch), null, 2)}\n` : planText(batch));
    return EXIT.ok;
  },
});

function planJson(batch: Batch): object {
  const t = totalsOf(batch);
  return {
    batch: batch.name,
    profile: batch.profile,
    concurrency: batch.concurrency ?? null,
    jobs: batch.jobs.map((j) => ({ key: j.key, shot: j.shotId, take: j.take, mode: j.mode, prompt_hash: j.promptHash, request: j.request })),
    totals: { shots: t.shots, jobs: t.jobs, seconds: t.seconds, jobs_with_audio: t.jobsWithAudio, seconds_with_audio: t.secondsWithAudio, by_mode: t.byMode },
  };
}

function planText(batch: Batch): string {
  const header = ["shot", "take", "mode", "model", "duration", "quality", "audio", "key"];
  const rows = batch.jobs.map((j) => [j.shotId, String(j.take), j.mode, j.request.model, `${j.request.duration}s`, j.request.quality, j.request.generate_audio ? "yes" : "no", j.key]);
  const t = totalsOf(batch);
  const profile = batch.profile === null ? "" : ` (profile ${batch.profile})`;
  return [
    ...aligned([header, ...rows]),
    "",
    `${batch.name}${profile}: ${t.jobs} jobs from ${t.shots} shots; ${t.seconds} s of video, ${t.secondsWithAudio} s with audio`,
    "",
  ].join("\n");
}

/** Pads each column to its widest cell; the last column is left ragged. */
function aligned(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join("  "));
}
