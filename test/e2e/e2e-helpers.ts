import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished } from "vitest";
import type { JobJson, StatusJson } from "../../src/report/json-schema.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { SimOptions } from "../../src/sim/options.js";
import { ensureBuilt } from "../helpers/build.js";
import { runCli, startCli } from "../helpers/cli.js";

/** A manifest named e2e of `count` text-to-video shots (4 s, 480p, no audio); `prompts` overrides by index. */
export function manifestText(count: number, prompts: Record<number, string> = {}): string {
  const shots = Array.from(
    { length: count },
    (_, i) => `  - id: s${String(i + 1).padStart(2, "0")}\n    prompt: ${JSON.stringify(prompts[i] ?? `Shot ${i + 1}: a lighthouse at dusk`)}`,
  );
  return ["version: 1", "name: e2e", "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p, generate_audio: false }", "shots:", ...shots, ""].join(
    "\n",
  );
}

export interface Workspace {
  dir: string;
  sim: Simulator;
  manifest: string;
  /** Where the run saves the e2e batch: clips, report.json, .shotlist/state.db. */
  batchDir: string;
  writeManifest(text: string): Promise<void>;
  /** Starts `shotlist run` against the simulator from the workspace, on its manifest unless given another. */
  run(args?: string[], env?: Record<string, string>, manifest?: string): ReturnType<typeof startCli>;
}

/**
 * A temp folder with a manifest and a simulator, both gone when the test
 * ends (after the CLIs it started, which go first).
 */
export async function useWorkspace(simOptions: Partial<SimOptions> = {}, manifest = manifestText(3)): Promise<Workspace> {
  await ensureBuilt();
  const dir = await mkdtemp(join(tmpdir(), "shotlist-e2e-"));
  const sim = await startSimulator({ genTimeMs: 300, jitterMs: 100, ...simOptions });
  onTestFinished(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  const path = join(dir, "shots.yaml");
  await writeFile(path, manifest);
  return {
    dir,
    sim,
    manifest: path,
    batchDir: join(dir, "out", "e2e"),
    writeManifest: (text) => writeFile(path, text),
    run: (args = [], env = {}, manifest = path) =>
      startCli(["run", manifest, "--poll-interval", "0.1", ...args], { cwd: dir, env: { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey, ...env } }),
  };
}

/** The state file's rows, as `shotlist status --json` reads them (no network). */
export async function statusRows(ws: Workspace): Promise<JobJson[]> {
  const status = await runCli(["status", ws.manifest, "--json"], { cwd: ws.dir });
  expect(status.code, status.stderr).toBe(0);
  return (JSON.parse(status.stdout) as StatusJson).jobs;
}

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

/** Why a done row's clip is not its task's, or null when the file, the row and the simulator all agree. */
async function clipProblem(ws: Workspace, row: JobJson): Promise<string | null> {
  const task = row.task_id ?? "";
  const { creates, downloads } = ws.sim.ledger;
  if (!creates.some((c) => c.taskId === task && c.status === 200)) return `the simulator made no task ${task}`;
  if (!downloads.some((d) => d.taskId === task && (d.status === 200 || d.status === 206))) return `the simulator served no download of ${task}`;
  const served = { bytes: ws.sim.expectedBytes(task).length, sha256: ws.sim.expectedSha256(task) };
  const file = await readFile(join(ws.batchDir, row.output_path ?? "")).catch(() => null);
  if (file === null) return `no clip at ${row.output_path}`;
  const onDisk = { bytes: file.length, sha256: sha256(file) };
  for (const [what, seen] of [
    ["the clip on disk", onDisk],
    ["the row", { bytes: row.bytes, sha256: row.sha256 }],
  ] as const) {
    if (seen.bytes !== served.bytes || seen.sha256 !== served.sha256)
      return `${what} has ${seen.bytes} bytes ${seen.sha256}, the task served ${served.bytes} bytes ${served.sha256}`;
  }
  return null;
}

/**
 * Each job of the state file as "<shot> <state>". A done job reads "done"
 * only when the simulator made its task and served its download, and the
 * clip on disk and the row both have the size and sha256 of the bytes that
 * task serves; otherwise it says what differs.
 */
export async function jobOutcomes(ws: Workspace): Promise<string[]> {
  return Promise.all(
    (await statusRows(ws)).map(async (row) => {
      const problem = row.state === "done" ? await clipProblem(ws, row) : null;
      return `${row.shot} ${row.state}${problem === null ? "" : `, but ${problem}`}`;
    }),
  );
}

/** What jobOutcomes reads when every one of the manifestText(n) shots is done with its own clip. */
export const ALL_DONE = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(2, "0")} done`);

/** Creates the simulator saw, per Idempotency-Key (one key per job and generation). */
export function createsPerKey(ws: Workspace): number[] {
  const counts = new Map<string, number>();
  for (const c of ws.sim.ledger.creates) counts.set(c.idempotencyKey ?? "", (counts.get(c.idempotencyKey ?? "") ?? 0) + 1);
  return [...counts.values()];
}

/** Every file under a folder, recursively, with its bytes. */
export async function readTree(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        return { path, bytes: await readFile(path) };
      }),
  );
}
