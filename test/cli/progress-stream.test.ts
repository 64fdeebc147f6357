import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/commands/run.js";
import type { OutputStream } from "../../src/cli/command.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { manifestDir } from "./manifest-files.js";

const MANIFEST =
  'version: 1\nname: progress\nmodel: seedance-1.5-pro\ndefaults: { duration: 4, quality: 480p, generate_audio: false }\nshots:\n  - { id: s01, prompt: "A lighthouse" }\n';

const files = manifestDir();
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ genTimeMs: 50, jitterMs: 0 });
});
afterAll(async () => {
  await sim.close();
  files.remove();
});

/** A captured stream that says whether it is a terminal, as process.stdout and process.stderr do. */
function stream(isTTY: boolean): { stream: OutputStream; text: () => string } {
  const s = new PassThrough();
  Object.assign(s, { isTTY, columns: 120 });
  let text = "";
  s.on("data", (chunk: Buffer) => (text += chunk.toString()));
  return { stream: s, text: () => text };
}

/** One `shotlist run` of a one-shot manifest against the simulator, in a fresh output folder. */
async function run(terminal: { stdout: boolean; stderr: boolean }, name: string): Promise<{ stdout: string; stderr: string }> {
  const stdout = stream(terminal.stdout);
  const stderr = stream(terminal.stderr);
  const manifest = files.write(`${name}.yaml`, MANIFEST);
  const code = await runCommand.run({
    values: { out: join(dirname(manifest), `${name}-out`), "poll-interval": "0.05" },
    positionals: [manifest],
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey },
    signal: new AbortController().signal,
  });
  expect(code).toBe(0);
  return { stdout: stdout.text(), stderr: stderr.text() };
}

describe("run's progress display", () => {
  it("draws a bar on stderr when stderr is a terminal, though stdout is piped", async () => {
    const { stdout, stderr } = await run({ stdout: false, stderr: true }, "bar");
    expect(stderr).toContain("1/1 finished | 1 done");
    expect(stderr).not.toContain("run start:");
    expect(stdout).toContain("report: ");
  });

  it("writes plain lines on stderr when stderr is piped, though stdout is a terminal", async () => {
    const { stderr } = await run({ stdout: true, stderr: false }, "plain");
    expect(stderr).toContain("run start: batch progress, 1 job, 0 already done");
    expect(stderr).not.toContain("finished |");
  });
});
