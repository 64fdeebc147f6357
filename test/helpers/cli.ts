/**
 * Runs the BUILT CLI (dist/cli/main.js) as a child process, as a user would.
 * `npm test` builds first; run `npm run build` before running e2e tests alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onTestFinished } from "vitest";

export const CLI_PATH = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to a clean environment (no EVOLINK_* from the developer's shell). */
  env?: Record<string, string>;
}

export interface StartedCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** stdout and stderr so far. */
  output: () => string;
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("EVOLINK_")) env[name] = value;
  return { ...env, NO_COLOR: "1", ...extra };
}

/**
 * Starts the CLI and returns the child with a promise of its result, for
 * tests that signal or kill it. A child still running when the test ends (it
 * failed or timed out first) is killed then.
 */
export function startCli(args: string[], options: CliOptions = {}): StartedCli {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let closed = false;
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      closed = true;
      resolve({ code, signal, stdout, stderr });
    });
  });
  onTestFinished(async () => {
    if (closed) return;
    child.kill("SIGKILL");
    await result.catch(() => undefined); // its outcome no longer matters, only that it is gone
  });
  return { child, result, output: () => stdout + stderr };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Resolves once the child's output matches, so tests wait for events instead of sleeping; rejects if it exits first. */
export function waitForOutput(cli: StartedCli, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const streams = [cli.child.stdout, cli.child.stderr];
    const check = (): void => {
      if (!pattern.test(cli.output())) return;
      for (const stream of streams) stream?.off("data", check);
      resolve();
    };
    // Registered after startCli's own listeners: output() already holds the chunk.
    for (const stream of streams) stream?.on("data", check);
    void cli.result.then(() => {
      if (!pattern.test(cli.output())) reject(new Error(`the CLI exited before printing ${pattern}:\n${cli.output()}`));
    }, reject);
    check();
  });
}
