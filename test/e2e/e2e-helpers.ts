import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import type { SimOptions } from "../../src/sim/options.js";
import { ensureBuilt } from "../helpers/build.js";
import { startCli, type CliResult } from "../helpers/cli.js";

/** A manifest of `count` text-to-video shots (4 s, 480p, no audio); `prompts` overrides by index. */
export function manifestText(count: number, prompts: Record<number, string> = {}): string {
  const shots = Array.from({ length: count }, (_, i) => `  - id: s${String(i + 1).padStart(2, "0")}\n    prompt: ${JSON.stringify(prompts[i] ?? `Shot ${i + 1}: a lighthouse at dusk`)}`);
  return ["version: 1", "name: e2e", "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p, generate_audio: false }", "shots:", ...shots, ""].join("\n");
}

export interface Workspace {
  dir: string;
  sim: Simulator;
  manifest: string;
  writeManifest(text: string): Promise<void>;
  /** Starts `shotlist run` against the simulator from the workspace. */
  run(args?: string[], env?: Record<string, string>): ReturnType<typeof startCli>;
  close(): Promise<void>;
}

export async function openWorkspace(simOptions: Partial<SimOptions> = {}, manifest = manifestText(3)): Promise<Workspace> {
  await ensureBuilt();
  const dir = await mkdtemp(join(tmpdir(), "shotlist-e2e-"));
  const sim = await startSimulator({ genTimeMs: 300, jitterMs: 100, ...simOptions });
  const path = join(dir, "shots.yaml");
  await writeFile(path, manifest);
  return {
    dir,
    sim,
    manifest: path,
    writeManifest: (text) => writeFile(path, text),
    run: (args = [], env = {}) =>
      startCli(["run", path, "--poll-interval", "0.1", ...args], { cwd: dir, env: { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey, ...env } }),
    async close() {
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the child's output matches, so tests wait for events instead of sleeping. */
export async function waitForOutput(output: () => string, pattern: RegExp, result: Promise<CliResult>): Promise<void> {
  let exited = false;
  void result.then(() => (exited = true));
  while (!pattern.test(output())) {
    if (exited) throw new Error(`the CLI exited before printing ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every file under a folder, recursively, with its bytes. */
export async function readTree(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => {
      const path = join(e.parentPath, e.name);
      return { path, bytes: await readFile(path) };
    }),
  );
}
