/**
 * `shotlist run ... | head -2`, a pager quit with q, a jq that failed: the
 * reader of stdout or stderr leaves while the run is creating tasks. The run
 * must not die of it (creates sent and not recorded are paid twice by the next
 * run): it finishes unseen, checkpointed, with its usual exit code.
 */
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { CLI_PATH } from "../helpers/cli.js";
import { createsPerKey, jobOutcomes, manifestText, useWorkspace, type Workspace } from "./e2e-helpers.js";

/** Four shots, each rendering long enough that the run is still creating and polling when its reader leaves. */
const fourShots = (): Promise<Workspace> => useWorkspace({ genTimeMs: 300, jitterMs: 0 }, manifestText(4));

/** The run ended as if its reader had stayed: exit 0, every job done with its clip, each created once. */
async function expectFinishedUnseen(ws: Workspace, code: number | null): Promise<void> {
  expect(code).toBe(0);
  expect(await jobOutcomes(ws)).toEqual(["s01 done", "s02 done", "s03 done", "s04 done"]);
  expect(createsPerKey(ws)).toEqual([1, 1, 1, 1]);
}

/** Output of a child, and how it ended; a child still running when the test ends is killed. */
function watch(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGKILL");
    await ended.catch(() => undefined);
  });
  return ended;
}

/**
 * `shotlist run` against the workspace's simulator with its stdout, its
 * stderr or both written into `head -n <lines>`, which exits after that many
 * lines: a real pipe whose reader goes away while the run is under way.
 */
async function runIntoHead(ws: Workspace, args: string[], into: "stdout" | "stderr" | "both", lines: number) {
  const head = spawn("head", ["-n", String(lines)], { stdio: ["pipe", "pipe", "ignore"] });
  const pipe = head.stdin;
  const stdio: StdioOptions = into === "stdout" ? ["ignore", pipe, "pipe"] : into === "stderr" ? ["ignore", "pipe", pipe] : ["ignore", pipe, pipe];
  const cli = spawn(process.execPath, [CLI_PATH, "run", ws.manifest, "--poll-interval", "0.1", ...args], {
    cwd: ws.dir,
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", EVOLINK_BASE_URL: ws.sim.url, EVOLINK_API_KEY: ws.sim.apiKey },
    stdio,
  });
  // The CLI holds the pipe's writing end now; head reads it alone.
  pipe?.destroy();
  const [run, headRun] = await Promise.all([watch(cli), watch(head)]);
  return { code: run.code, stdout: run.stdout, stderr: run.stderr, headLines: headRun.stdout.split("\n").filter((l) => l !== "") };
}

beforeAll(ensureBuilt, 120_000);

describe("a run whose reader leaves", () => {
  it("goes on when stdout's reader leaves after two JSON lines (--json | head -2): every job done, each created once, exit 0", async () => {
    const ws = await fourShots();
    const run = await runIntoHead(ws, ["--json"], "stdout", 2);
    expect(run.headLines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(["run:notice", "run:start"]);
    expect(run.stderr).toBe("");
    await expectFinishedUnseen(ws, run.code);
  });

  it("goes on when progress and summary share one pipe that closes after a line (2>&1 | head -1)", async () => {
    const ws = await fourShots();
    const run = await runIntoHead(ws, [], "both", 1);
    expect(run.headLines).toHaveLength(1);
    expect(run.headLines[0]).toMatch(/ notice: estimate: about [\d.]+ credits for 4 jobs/);
    await expectFinishedUnseen(ws, run.code);
  });

  it("still prints the summary on stdout when only stderr's reader left", async () => {
    const ws = await fourShots();
    const run = await runIntoHead(ws, [], "stderr", 1);
    expect(run.headLines).toHaveLength(1);
    expect(run.stdout).toMatch(/^4 done, 0 failed, 0 expired · 16 s of video · /);
    expect(run.stdout).toMatch(/\nreport: .*report\.json\nreview the takes: shotlist review .*\n$/);
    await expectFinishedUnseen(ws, run.code);
  });
});
