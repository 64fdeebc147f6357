import { unapprovedLine } from "../../app/approved.js";
import { aboutCredits, estimateLine, estimateSend, type SendEstimate } from "../../app/estimate.js";
import { readPlan, type Plan, type PlannedInput, type PlannedJob } from "../../app/plan.js";
import { sizeText } from "../../manifest/file-limits.js";
import { SENT_FATES, type PlanFate } from "../../runner/decide.js";
import { totalsOf } from "../../manifest/summary.js";
import { defineCommand } from "../command.js";
import { EXIT } from "../exit-codes.js";
import { APPROVED_OPTION, BATCH_LOCATION_OPTIONS, JSON_OPTION, SELECTION_OPTIONS } from "../options.js";
import { counted, printable } from "../../text.js";
import { profileJson, SCHEMA_VERSION } from "../../report/index.js";

export const planCommand = defineCommand({
  name: "plan",
  summary: "show what a run would send, against what the state file says is done, with the seconds of video and audio they bill",
  usage: "shotlist plan <manifest> [--profile NAME] [--only PATTERN] [--except PATTERN] [--out DIR] [--state FILE] [--approved] [--all] [--json]",
  options: {
    ...BATCH_LOCATION_OPTIONS,
    ...SELECTION_OPTIONS,
    approved: APPROVED_OPTION,
    all: { flag: "all", kind: "boolean", help: "list every job with what the run would do with it, not only those it would send" },
    json: { ...JSON_OPTION, help: "print the jobs and totals as JSON" },
  },
  examples: [
    { line: "shotlist plan shots.yaml", does: "what a run would send and what it would cost" },
    { line: "shotlist plan shots.yaml --approved --all", does: "the final pass over the approved shots, every job listed with its fate" },
  ],
  environment: [],
  positionals: 1,
  async run(ctx, { all, json, ...location }) {
    const plan = await readPlan({ manifestPath: ctx.positionals[0] as string, ...location });
    ctx.stdout.write(json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : planText(plan, all));
    return EXIT.ok;
  },
});

/** What the run does with a job of each fate, as the plan's words say it. */
const FATE_WORDS: Record<PlanFate, string> = {
  render: "to render",
  resend: "to send again (its create got no answer: the task may exist)",
  collect: "in flight (collected, not sent again)",
  unchanged: "unchanged (done)",
  left: "left as they are (failed, cancelled or expired: see run --retry-failed, --rerender-expired)",
};

function planJson(plan: Plan): object {
  const { batch } = plan;
  const t = totalsOf(batch);
  return {
    schema_version: SCHEMA_VERSION,
    batch: batch.name,
    profile: profileJson(batch.profile),
    concurrency: batch.concurrency ?? null,
    state_path: plan.hasState ? plan.statePath : null,
    jobs: plan.jobs.map(({ job, fate, inputs }) => ({
      key: job.key,
      shot: job.shotId,
      take: job.take,
      mode: job.mode,
      prompt_hash: job.promptHash,
      fate,
      request: job.request,
      local_inputs: inputs.map((i) => ({
        path: i.path,
        bytes: i.bytes,
        sha256: i.sha256,
        upload: i.aliveUntilMs === undefined ? "to upload" : "uploaded",
        expires_at: i.aliveUntilMs === undefined ? null : new Date(i.aliveUntilMs).toISOString(),
      })),
    })),
    superseded: plan.superseded.map((row) => ({ key: row.key, shot: row.shot_id, take: row.take, clip: row.output_path })),
    totals: { shots: t.shots, jobs: t.jobs, seconds: t.seconds, jobs_with_audio: t.jobsWithAudio, seconds_with_audio: t.secondsWithAudio, by_mode: t.byMode },
    to_send: totalsOfSent(plan.jobs),
    ...(plan.unapproved === undefined ? {} : { unapproved: plan.unapproved.map((u) => ({ shot: u.shotId, reason: u.reason })) }),
    estimate: estimateJson(sentEstimate(plan)),
  };
}

/** What the jobs the run would send cost, from the batch's observed rates or public default prices. */
function sentEstimate(plan: Plan): SendEstimate {
  return estimateSend(
    plan.jobs.filter((j) => SENT_FATES.has(j.fate)).map((j) => j.job),
    plan.rows,
  );
}

function estimateJson(estimate: SendEstimate): object {
  return {
    credits: estimate.credits,
    public_credits: estimate.publicCredits,
    observed_jobs: estimate.observed,
    unpriced_jobs: estimate.unpriced,
    unpriced_models: estimate.unpricedModels,
    label: "an estimate from public default prices, or from the rates this batch's earlier tasks reserved where there are some",
    jobs: estimate.jobs.map((e) => ({ key: e.job.key, credits: e.estimate.credits ?? null, from: e.estimate.from, public_credits: e.publicCredits ?? null })),
  };
}

function totalsOfSent(jobs: readonly PlannedJob[]): { jobs: number; seconds: number; seconds_with_audio: number } {
  const sent = jobs.filter((j) => SENT_FATES.has(j.fate)).map((j) => j.job.request);
  return {
    jobs: sent.length,
    seconds: sent.reduce((s, r) => s + r.duration, 0),
    seconds_with_audio: sent.reduce((s, r) => s + (r.generate_audio ? r.duration : 0), 0),
  };
}

function planText(plan: Plan, all: boolean): string {
  const { batch } = plan;
  const header = ["shot", "take", "mode", "model", "duration", "quality", "audio", "credits", ...(all ? ["plan"] : []), "key"];
  const listed = all ? plan.jobs : plan.jobs.filter((j) => SENT_FATES.has(j.fate));
  const estimate = sentEstimate(plan);
  const perJob = new Map(estimate.jobs.map((e) => [e.job.key, e.estimate.credits]));
  const cellsOf = ({ job: j, fate }: PlannedJob): string[] => [
    j.shotId,
    String(j.take),
    j.mode,
    j.request.model,
    `${j.request.duration}s`,
    j.request.quality,
    j.request.generate_audio ? "yes" : "no",
    creditsCell(SENT_FATES.has(fate), perJob.get(j.key)),
    ...(all ? [fate] : []),
    j.key,
  ];
  const t = totalsOf(batch);
  const profile = batch.profile === null ? "" : ` (profile ${batch.profile})`;
  return [
    ...(listed.length > 0 ? aligned(listed.length + 1, (i) => (i === 0 ? header : cellsOf(listed[i - 1] as PlannedJob))) : ["nothing to send"]),
    "",
    `${batch.name}${profile}: ${counted(t.jobs, "job")} from ${counted(t.shots, "shot")}; ${t.seconds} s of video, ${t.secondsWithAudio} s with audio`,
    diffLine(plan),
    estimateLine(estimate),
    ...(plan.unapproved === undefined ? [] : [printable(unapprovedLine(plan.unapproved) ?? "every shot is approved")]),
    ...localFilesLines(listed),
    "",
  ].join("\n");
}

/** A sent job's estimate; "-" for one the run does not send. */
function creditsCell(sent: boolean, credits: number | undefined): string {
  if (!sent) return "-";
  return credits === undefined ? "no estimate" : aboutCredits(credits).replace(" credits", "");
}

/** One line per local file the listed jobs send: its size, whether a live upload of it is recorded, and how many of them send it. */
function localFilesLines(jobs: readonly PlannedJob[]): string[] {
  const files = new Map<string, { input: PlannedInput; jobs: number }>();
  for (const { inputs } of jobs) {
    for (const input of inputs) {
      const seen = files.get(input.path);
      if (seen === undefined) files.set(input.path, { input, jobs: 1 });
      else seen.jobs += 1;
    }
  }
  if (files.size === 0) return [];
  const rows = [...files.values()].map(({ input, jobs: n }) => [
    printable(input.path),
    sizeText(input.bytes),
    input.aliveUntilMs === undefined ? "to upload" : `uploaded, alive until ${new Date(input.aliveUntilMs).toISOString()}`,
    counted(n, "job"),
  ]);
  return ["", "local files:", ...aligned(rows.length, (i) => rows[i] ?? []).map((line) => `  ${line}`)];
}

/** "against out/e2e/.shotlist/state.db: 2 to render (10 s of video, 0 s with audio), 5 unchanged (done), 1 superseded (its clip moves to history/)". */
function diffLine(plan: Plan): string {
  if (!plan.hasState) return `nothing has run for this manifest yet (no state at ${plan.statePath}): all ${plan.jobs.length} to render`;
  const counts = new Map<PlanFate, number>();
  for (const { fate } of plan.jobs) counts.set(fate, (counts.get(fate) ?? 0) + 1);
  const sent = totalsOfSent(plan.jobs);
  const parts = [...counts].map(([fate, n]) =>
    fate === "render" ? `${n} ${FATE_WORDS[fate]} (${sent.seconds} s of video, ${sent.seconds_with_audio} s with audio)` : `${n} ${FATE_WORDS[fate]}`,
  );
  if (plan.superseded.length > 0)
    parts.push(`${plan.superseded.length} superseded (${plan.superseded.length === 1 ? "its clip moves" : "their clips move"} to history/)`);
  return `against ${plan.statePath}: ${parts.join(", ")}`;
}

/**
 * Rows 0..count-1 with each column padded to its widest cell; the last column
 * is left ragged. Each row is asked for twice (for the widths, then for its
 * line) so that a plan of 100,000 jobs never holds every cell at once.
 */
function aligned(count: number, rowAt: (i: number) => string[]): string[] {
  const widths: number[] = [];
  for (let i = 0; i < count; i++) rowAt(i).forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return Array.from({ length: count }, (_, i) => {
    const r = rowAt(i);
    return r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join("  ");
  });
}
