/**
 * Runs the built CLI again and again, killing it with SIGKILL at moments
 * drawn from a seeded PRNG, then lets it run to its own end. A kill waits
 * either for a random time after the start or for the k-th commit of a
 * given kind (read off --json) plus a few milliseconds, so kills land
 * during creates, polls, downloads and state writes alike; "end" waits for
 * the run's last event, to land while the report is written.
 */
import { seededRandom } from "../../src/sim/faults.js";
import { startCli, type CliResult } from "../helpers/cli.js";

export interface KillPlan {
  /** What the kill waits for: a time, or the k-th job:state line moving to this state. */
  trigger: "time" | "submitting" | "generating" | "completed" | "done" | "end";
  k: number;
  /** Extra wait after the trigger line, in ms. */
  jitterMs: number;
  /** Kill at this time after the start whatever happened, in ms (Infinity: only on the trigger). */
  deadlineMs: number;
}

export interface RunRecord {
  index: number;
  /** Epoch ms of the spawn. */
  startedMs: number;
  plan: KillPlan | null;
  killed: boolean;
  code: number | null;
  ms: number;
  stdout: string;
  stderr: string;
}

export interface KillLoopOptions {
  seed: number;
  kills: number;
  /** Longest time before a timed kill, in ms. */
  maxDeadlineMs: number;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Called after every run (the state file is closed by then): e.g. an integrity check. */
  afterRun?: (run: RunRecord) => void;
  /** Runs killed as they write their report (after their last event), once the random kills are done. */
  endKills?: number;
  /** Unkilled runs allowed at the end before giving up. */
  maxFinalRuns?: number;
  /**
   * Whether the batch needs no rerun after a run that ended on its own (e.g.
   * no job left `unknown`, which a rerun sends again). @default () => true
   */
  settled?: () => boolean;
  /** Called once the planned kills are done, before the runs left to finish the batch (e.g. to give the disk its room back). */
  beforeFinalRuns?: () => Promise<void>;
  /** Whether the planned kills go on after a run that ended on its own (one the disk stopped early). @default () => false */
  keepKilling?: (run: RunRecord) => boolean;
}

const TRIGGERS = ["time", "submitting", "generating", "completed", "done", "end"] as const;

export function drawPlans(seed: number, count: number, maxDeadlineMs: number): KillPlan[] {
  const random = seededRandom(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  return Array.from({ length: count }, () => {
    const trigger = TRIGGERS[int(0, TRIGGERS.length - 1)] ?? "time";
    return { trigger, k: trigger === "end" ? 1 : int(1, 6), jitterMs: int(0, trigger === "end" ? 3 : 15), deadlineMs: int(100, maxDeadlineMs) };
  });
}

/** Kills while kills are planned and the batch is unfinished, then reruns until the CLI exits on its own with the batch settled. */
export async function killLoop(options: KillLoopOptions): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  const settled = options.settled ?? (() => true);
  const plans = drawPlans(options.seed, options.kills, options.maxDeadlineMs);
  const random = seededRandom(options.seed ^ 0xe4d);
  for (let i = 0; i < (options.endKills ?? 0); i++) plans.push({ trigger: "end", k: 1, jitterMs: Math.floor(random() * 4), deadlineMs: Infinity });
  for (const plan of plans) {
    const run = await runOnce(runs.length, plan, options);
    runs.push(run);
    options.afterRun?.(run);
    if (!run.killed && options.keepKilling?.(run) !== true) break; // finished before its kill: nothing left to interrupt
  }
  await options.beforeFinalRuns?.();
  const last = runs.at(-1);
  // A last run that ended on its own with exit 3 (a disk the filler had full) is not the settled end: run again on the freed disk.
  if (last?.killed === false && (last.code === 0 || last.code === 1) && settled()) return runs;
  for (let i = 0; i < (options.maxFinalRuns ?? 3); i++) {
    const run = await runOnce(runs.length, null, options);
    runs.push(run);
    options.afterRun?.(run);
    if (!run.killed && (run.code === 0 || run.code === 1) && settled()) return runs;
  }
  return runs;
}

async function runOnce(index: number, plan: KillPlan | null, options: KillLoopOptions): Promise<RunRecord> {
  const started = Date.now();
  const { child, result } = startCli(options.args, { cwd: options.cwd, env: options.env });
  const timers: NodeJS.Timeout[] = [];
  const kill = (): void => void child.kill("SIGKILL");
  if (plan !== null) {
    if (Number.isFinite(plan.deadlineMs)) timers.push(setTimeout(kill, plan.deadlineMs));
    if (plan.trigger !== "time") {
      const needle = plan.trigger === "end" ? `"event":"run:end"` : `"to":"${plan.trigger}"`;
      let seen = 0;
      let tail = "";
      child.stdout?.on("data", (chunk: string) => {
        const lines = (tail + chunk).split("\n");
        tail = lines.pop() ?? "";
        for (const line of lines) if (line.includes(needle) && ++seen === plan.k) timers.push(setTimeout(kill, plan.jitterMs));
      });
    }
  }
  let res: CliResult;
  try {
    res = await result;
  } finally {
    for (const t of timers) clearTimeout(t);
  }
  return {
    index,
    startedMs: started,
    plan,
    killed: res.signal === "SIGKILL",
    code: res.code,
    ms: Date.now() - started,
    stdout: res.stdout,
    stderr: res.stderr,
  };
}
