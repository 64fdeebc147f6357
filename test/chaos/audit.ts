/**
 * What a chaos run proved, from three witnesses that do not trust each other:
 * the simulator's ledger (every create, poll and fault it saw), the state
 * database the CLI left (jobs and their event history) and the files on disk.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import type { Simulator } from "../../src/sim/index.js";
import { creditsFor } from "../../src/sim/models.js";
import type { EventRow, JobRow } from "../../src/model/rows.js";
import type { ChaosManifest } from "./manifest.js";
import type { RunRecord } from "./kill-loop.js";

export interface Duplicate {
  job: string;
  taskId: string;
  /** Why the answer to its create never reached the runner. */
  why: "reset after create" | "unreadable answer" | "killed mid-create" | "unexplained";
}

export interface Audit {
  runs: number;
  kills: number;
  jobs: number;
  createRequests: number;
  tasksMade: number;
  /** Tasks that failed retry-later and were rendered again as new tasks. */
  retries: number;
  /** Tasks beyond one per job plus one per retry-later failure. */
  duplicates: Duplicate[];
  /** Jobs with more adopted tasks than retries explain: the runner created twice knowingly. */
  runnerDuplicates: string[];
  lost: string[];
  corrupt: string[];
  maxInFlightKnown: number;
  /** When maxInFlightKnown is over --concurrency: the tasks in flight at that moment. */
  peak: string[];
  maxInFlightAll: number;
  concurrency: number;
  integrity: string[];
  policyResubmits: string[];
  historyMismatches: string[];
  historyClips: string[];
  strayFiles: string[];
  partFiles: number;
  /** Credits the simulator charged (completed tasks), and what the clips saved cost at one task each. */
  credits: { charged: number; saved: number };
  /** Result bytes the simulator sent, over the bytes of the clips saved: 1 when nothing was fetched twice. */
  transferRatio: number;
  faults: Record<string, number>;
  unknownJobs: number;
  /** Creates answered 200 with a body that is no task (the simulator's unreadable fault). */
  unreadableAnswers: number;
  /** Tasks a job adopted from the task list (event adopted, by task-list). */
  reconciled: number;
  /** Tasks a job followed that another job's create made: another shot's clip under this one's name. */
  misadopted: string[];
  /** Creates answered with an unreadable 2xx that the same run sent again. */
  unreadableResent: string[];
  /** Times a run paused its creates: the disk too full for the clips on their way, or the state file refusing writes (notices on --json). */
  pausedForRoom: number;
  pausedForCommit: number;
  /** Task ids a refused commit held in memory: recorded late by their own run, or by the next one from the recovery note. */
  committedLate: number;
  committedFromNote: number;
}

interface Witnesses {
  sim: Simulator;
  statePath: string;
  batchDir: string;
  concurrency: number;
  manifest: ChaosManifest;
  runs: RunRecord[];
  /** integrity_check results that were not "ok", from after each run. */
  integrity: string[];
}

const KEY = /^shotlist-([0-9a-f]{16})-\d+$/;
const FINAL = new Set(["completed", "failed", "cancelled"]);

export function integrityCheck(statePath: string): string {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/** Jobs the state file holds in `unknown`: a rerun sends them again. None in a file a full disk left unmigrated. */
export function unknownJobs(statePath: string): number {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'jobs'").get() === undefined) return 0;
    return (db.prepare("SELECT count(*) AS n FROM jobs WHERE state = 'unknown'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function readState(statePath: string): { jobs: JobRow[]; events: EventRow[] } {
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    return { jobs: db.prepare("SELECT * FROM jobs").all() as JobRow[], events: db.prepare("SELECT * FROM events ORDER BY id").all() as EventRow[] };
  } finally {
    db.close();
  }
}

export async function audit(w: Witnesses): Promise<Audit> {
  const { ledger } = w.sim;
  const { jobs, events } = readState(w.statePath);
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const label = (key: string): string => {
    const j = byKey.get(key);
    return j === undefined ? key : `${j.shot_id}#${j.take} (${key})`;
  };
  const eventsOf = groupBy(events, (e) => e.key);

  // Tasks the simulator made, by job (the Idempotency-Key names the job).
  const made = ledger.creates.filter((c) => c.taskId !== null && !c.replayed);
  const madeByJob = groupBy(made, (c) => KEY.exec(c.idempotencyKey ?? "")?.[1] ?? "?");
  // Tasks the runner learned of (their id committed with the move to generating).
  const adopted = new Set<string>();
  const unknownJobs = new Set<string>();
  for (const e of events) {
    if (e.to_state === "generating") adopted.add((JSON.parse(e.detail_json ?? "{}") as { task_id: string }).task_id);
    if (e.to_state === "unknown") unknownJobs.add(e.key);
  }

  const duplicates: Duplicate[] = [];
  const runnerDuplicates: string[] = [];
  for (const [key, creates] of madeByJob) {
    const own = creates.filter((c) => adopted.has(c.taskId ?? ""));
    const retries = (eventsOf.get(key) ?? []).filter((e) => e.kind === "retry-as-new-task").length;
    if (own.length > retries + 1) runnerDuplicates.push(`${label(key)}: ${own.length} tasks known to the runner, ${retries} retries`);
    for (const c of creates) {
      if (adopted.has(c.taskId ?? "")) continue;
      const why =
        c.fault === "reset_after"
          ? "reset after create"
          : c.fault === "unreadable"
            ? "unreadable answer"
            : unknownJobs.has(key)
              ? "killed mid-create"
              : "unexplained";
      duplicates.push({ job: label(key), taskId: c.taskId ?? "", why });
    }
  }

  const lost = w.manifest.jobs === jobs.length ? [] : [`the state holds ${jobs.length} jobs, the manifest ${w.manifest.jobs}`];
  for (const j of jobs)
    if (!w.manifest.policyShots.has(j.shot_id) && j.state !== "done") lost.push(`${label(j.key)} ended ${j.state}: ${j.error_message ?? ""}`);

  const policyResubmits: string[] = [];
  for (const j of jobs.filter((row) => w.manifest.policyShots.has(row.shot_id))) {
    const own = (madeByJob.get(j.key) ?? []).filter((c) => adopted.has(c.taskId ?? ""));
    if (j.state !== "failed" || j.error_class !== "policy")
      policyResubmits.push(`${label(j.key)} ended ${j.state} (${j.error_class ?? "-"}), not failed (policy)`);
    if (own.length !== 1) policyResubmits.push(`${label(j.key)}: ${own.length} tasks known to the runner`);
    const failedAt = (eventsOf.get(j.key) ?? []).find((e) => e.to_state === "failed")?.at_ms;
    const later = ledger.creates.filter((c) => KEY.exec(c.idempotencyKey ?? "")?.[1] === j.key && failedAt !== undefined && c.at_ms > failedAt);
    if (later.length > 0) policyResubmits.push(`${label(j.key)}: ${later.length} creates after the policy failure`);
  }

  return {
    runs: w.runs.length,
    kills: w.runs.filter((r) => r.killed).length,
    jobs: jobs.length,
    createRequests: ledger.creates.length,
    tasksMade: made.length,
    retries: events.filter((e) => e.kind === "retry-as-new-task").length,
    duplicates,
    runnerDuplicates,
    lost,
    ...(await checkFiles(
      w,
      jobs,
      made.map((c) => c.taskId ?? ""),
    )),
    ...peakOf(w, adopted, leftAt(events), label),
    maxInFlightAll: Math.max(0, ...Object.values(ledger.maxInFlight)),
    concurrency: w.concurrency,
    integrity: w.integrity,
    policyResubmits,
    historyMismatches: historyMismatches(jobs, eventsOf),
    credits: { charged: ledger.credits.charged, saved: jobs.filter((j) => j.state === "done").reduce((n, j) => n + requestCredits(j.request_json), 0) },
    transferRatio:
      ledger.downloads.reduce((n, d) => n + d.bytesSent, 0) /
      Math.max(
        1,
        jobs.reduce((n, j) => n + (j.state === "done" ? (j.bytes ?? 0) : 0), 0),
      ),
    faults: countBy(ledger.faults.map((f) => `${f.route}:${f.kind}`)),
    unknownJobs: unknownJobs.size,
    ...reconciliation(w, events, label),
    ...diskPauses(w.runs, events),
  };
}

/** What the runs said on --json about a disk that filled, and the tasks the next run took from the recovery note. */
function diskPauses(runs: RunRecord[], events: EventRow[]): Pick<Audit, "pausedForRoom" | "pausedForCommit" | "committedLate" | "committedFromNote"> {
  const notices = runs.flatMap((r) =>
    r.stdout.split("\n").flatMap((line) => {
      if (!line.includes(`"event":"run:notice"`)) return [];
      try {
        return [(JSON.parse(line) as { message: string }).message];
      } catch {
        return []; // the last line of a killed run
      }
    }),
  );
  const late = notices.map((n) => /, (\d+) task id\(s\) held in memory recorded late/.exec(n)?.[1]).filter((n) => n !== undefined);
  return {
    pausedForRoom: notices.filter((n) => n.startsWith("disk nearly full")).length,
    // A refused commit while creates were already paused for room says so only when the gate opens again.
    pausedForCommit: late.length,
    committedLate: late.reduce((sum, n) => sum + Number(n), 0),
    committedFromNote: events.filter((e) => e.kind === "adopted" && (JSON.parse(e.detail_json ?? "{}") as { by?: string }).by === undefined).length,
  };
}

/** When reconciliation left each job unknown (and gave up its slot), by job key. */
function leftAt(events: EventRow[]): Map<string, number[]> {
  const left = new Map<string, number[]>();
  for (const e of events) {
    if (e.kind !== "update" || (JSON.parse(e.detail_json ?? "{}") as { reconcile?: string }).reconcile !== "left") continue;
    left.set(e.key, [...(left.get(e.key) ?? []), e.at_ms]);
  }
  return left;
}

/** What became of creates whose answer was lost: adopted from the task list (by the right job only), never resent in their run. */
function reconciliation(
  w: Witnesses,
  events: EventRow[],
  label: (key: string) => string,
): Pick<Audit, "unreadableAnswers" | "reconciled" | "misadopted" | "unreadableResent"> {
  const { ledger } = w.sim;
  const madeBy = new Map(ledger.creates.flatMap((c) => (c.taskId === null ? [] : [[c.taskId, KEY.exec(c.idempotencyKey ?? "")?.[1] ?? "?"] as const])));
  const misadopted: string[] = [];
  let reconciled = 0;
  for (const e of events) {
    if (e.to_state !== "generating") continue;
    const detail = JSON.parse(e.detail_json ?? "{}") as { task_id?: string; by?: string };
    if (e.kind === "adopted" && detail.by === "task-list") reconciled++;
    const maker = madeBy.get(detail.task_id ?? "");
    if (maker !== undefined && maker !== e.key)
      misadopted.push(`${label(e.key)} followed ${detail.task_id ?? ""}, made by ${label(maker)}'s create (${e.kind})`);
  }
  const runOf = (at: number): number | undefined => w.runs.find((r) => r.startedMs <= at && at <= r.startedMs + r.ms)?.index;
  const unreadable = ledger.creates.filter((c) => c.fault === "unreadable");
  const unreadableResent = unreadable.flatMap((c) => {
    const again = ledger.creates.find((later) => later.at_ms > c.at_ms && later.idempotencyKey === c.idempotencyKey && runOf(later.at_ms) === runOf(c.at_ms));
    return again === undefined
      ? []
      : [`${c.idempotencyKey ?? "?"}: ${c.taskId ?? ""} answered unreadable, sent again ${again.at_ms - c.at_ms} ms later in run ${String(runOf(c.at_ms))}`];
  });
  return { unreadableAnswers: unreadable.length, reconciled, misadopted, unreadableResent };
}

/**
 * Most tasks the runner knew of at once, seen from the simulator: each from
 * the arrival of its create to the arrival of the first poll that found it
 * final. The runner counts a slot from before it sends the create to after it
 * reads that poll's answer, so this never exceeds what it counted. Tasks whose
 * answer was lost (ambiguous window) are not known to the runner and left out;
 * one whose job reconciliation left unknown counts until its history says so,
 * and again from a later run's replay of its create.
 */
function peakOf(
  w: Witnesses,
  adopted: Set<string>,
  leftAt: Map<string, number[]>,
  label: (key: string) => string,
): { maxInFlightKnown: number; peak: string[] } {
  const { ledger } = w.sim;
  const ends = new Map<string, number>();
  for (const p of ledger.polls) {
    if (p.taskStatus !== null && FINAL.has(p.taskStatus) && !ends.has(p.taskId)) ends.set(p.taskId, p.at_ms);
  }
  const spans = ledger.creates
    .filter((c) => c.taskId !== null && !c.replayed && adopted.has(c.taskId))
    .flatMap((c) => {
      const end = ends.get(c.taskId ?? "") ?? Infinity;
      // A job that reconciliation left unknown gave up its slot then; a later run's replay of its create follows the task anew.
      const left = (leftAt.get(KEY.exec(c.idempotencyKey ?? "")?.[1] ?? "?") ?? []).find((t) => t > c.at_ms && t < end);
      if (left === undefined) return [{ create: c, start: c.at_ms, end }];
      const replay = ledger.creates.find((r) => r.replayed && r.taskId === c.taskId && r.at_ms > left);
      return [{ create: c, start: c.at_ms, end: left }, ...(replay === undefined ? [] : [{ create: c, start: replay.at_ms, end }])];
    });
  const edges: [number, number][] = spans.flatMap((s): [number, number][] => [
    [s.start, +1],
    [s.end, -1],
  ]);
  // Starts before ends at the same millisecond: the higher, safer count.
  edges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let now = 0;
  let max = 0;
  let at = 0;
  for (const [t, d] of edges) {
    now += d;
    if (now > max) [max, at] = [now, t];
  }
  if (max <= w.concurrency) return { maxInFlightKnown: max, peak: [] };
  const t0 = w.runs[0]?.startedMs ?? 0;
  const runAt = (t: number): string => {
    const run = w.runs.find((r) => r.startedMs <= t && t <= r.startedMs + r.ms);
    return run === undefined ? "between runs" : `run ${run.index}${run.killed ? " (killed)" : ""}`;
  };
  const peak = spans
    .filter((s) => s.start <= at && at < s.end)
    .map((s) => {
      const key = KEY.exec(s.create.idempotencyKey ?? "")?.[1] ?? "?";
      const sends = ledger.creates
        .filter((c) => KEY.exec(c.idempotencyKey ?? "")?.[1] === key)
        .map((c) => `+${c.at_ms - t0} ${c.status ?? "no answer"}${c.fault === null ? "" : ` ${c.fault}`}${c.replayed ? " replayed" : ""}`);
      return `${label(key)} ${s.create.taskId ?? ""}: created +${s.start - t0} ms (${runAt(s.start)}), final seen +${s.end - t0} ms; creates [${sends.join(", ")}]`;
    });
  const runs = w.runs.map((r) => `run ${r.index} +${r.startedMs - t0}..+${r.startedMs + r.ms - t0}${r.killed ? " killed" : ""}`).slice(0, 6);
  return { maxInFlightKnown: max, peak: [`peak at +${at - t0} ms (${runAt(at)}); ${runs.join(", ")}`, ...peak] };
}

async function checkFiles(w: Witnesses, jobs: JobRow[], taskIds: string[]): Promise<Pick<Audit, "corrupt" | "historyClips" | "strayFiles" | "partFiles">> {
  const known = new Map(taskIds.map((id) => [w.sim.expectedSha256(id), id]));
  const corrupt: string[] = [];
  const donePaths = new Set<string>();
  for (const j of jobs.filter((row) => row.state === "done")) {
    const where = `${j.shot_id}#${j.take}`;
    if (j.output_path === null || j.task_id === null) {
      corrupt.push(`${where}: done without a path or task id`);
      continue;
    }
    donePaths.add(j.output_path);
    const bytes = await readFile(join(w.batchDir, j.output_path)).catch(() => undefined);
    const expected = w.sim.expectedSha256(j.task_id);
    if (bytes === undefined) corrupt.push(`${where}: ${j.output_path} is missing`);
    else if (sha256(bytes) !== expected || bytes.length !== j.bytes || j.sha256 !== expected)
      corrupt.push(`${where}: ${j.output_path} is not the bytes of ${j.task_id}`);
    const sidecar = await readFile(join(w.batchDir, j.output_path.replace(/\.mp4$/, ".json")), "utf8").then(
      (t) => JSON.parse(t) as Record<string, unknown>,
      () => undefined,
    );
    if (sidecar?.key !== j.key || sidecar.sha256 !== expected || sidecar.task_id !== j.task_id)
      corrupt.push(`${where}: its sidecar is missing or does not describe the clip`);
  }
  const historyClips: string[] = [];
  const strayFiles: string[] = [];
  let partFiles = 0;
  for (const entry of await readdir(w.batchDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(w.batchDir, join(entry.parentPath, entry.name));
    // The state file, the report and sidecars (checked above); a sidecar's leftover temp file is stray.
    if (rel.startsWith(".shotlist") || rel.endsWith(".json")) continue;
    if (rel.endsWith(".part")) partFiles++;
    else if (rel.endsWith(".mp4")) {
      if (!known.has(sha256(await readFile(join(w.batchDir, rel))))) corrupt.push(`${rel}: not the complete result of any task`);
      if (rel.split("/").includes("history")) historyClips.push(rel);
      else if (!donePaths.has(rel)) strayFiles.push(rel);
    } else strayFiles.push(rel);
  }
  return { corrupt, historyClips, strayFiles, partFiles };
}

/** Replays each job's transitions: every one must start where the last ended, and the last end where the row is. */
function historyMismatches(jobs: JobRow[], eventsOf: Map<string, EventRow[]>): string[] {
  const problems: string[] = [];
  for (const j of jobs) {
    let state: string | null = null;
    for (const e of eventsOf.get(j.key) ?? []) {
      if (e.to_state === null) continue;
      if (e.from_state !== state) problems.push(`${j.key}: event ${e.id} moves from ${e.from_state ?? "nothing"} but the job was ${state ?? "nothing"}`);
      state = e.to_state;
    }
    if (state !== j.state) problems.push(`${j.key}: history ends ${state ?? "nowhere"}, the row says ${j.state}`);
  }
  return problems;
}

function requestCredits(requestJson: string): number {
  const r = JSON.parse(requestJson) as { model: string; duration: number; quality: string; generate_audio: boolean };
  return creditsFor(r);
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list === undefined) groups.set(k, [item]);
    else list.push(item);
  }
  return groups;
}

function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
