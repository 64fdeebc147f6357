#!/usr/bin/env node
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { ShotlistError, coerceError } from "../errors.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import type { Command } from "./command.js";
import { commands } from "./commands/index.js";
import { describeError } from "./describe-error.js";
import { helpLines, parseArgsSpec } from "./option-table.js";
import { ProcessOutput } from "./output.js";

// Wired before anything is written: a reader that leaves (`| head`) must not end the process.
const stdout = new ProcessOutput(process.stdout);
const stderr = new ProcessOutput(process.stderr);

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function programHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "shotlist: batch runner for AI video generation (EvoLink / Seedance)",
    "",
    "Usage: shotlist <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `shotlist <command> --help` for a command's options.",
    "Exit codes: 0 ok, 1 finished with failed shots, 2 invalid input or usage, 3 could not run, 130 interrupted.",
    "",
  ].join("\n");
}

function commandHelp(c: Command): string {
  const options = [...helpLines(c.options), "-h, --help  show this help"].map((l) => `  ${l}`);
  return [`Usage: ${c.usage}`, "", c.summary, "", "Options:", ...options, "", ...(c.notes ?? []).flatMap((n) => [n, ""])].join("\n");
}

function checkPositionals(c: Command, got: string[]): void {
  const [min, max] = typeof c.positionals === "number" ? [c.positionals, c.positionals] : c.positionals;
  if (got.length < min || got.length > max) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    throw new ShotlistError("usage", `expected ${want} argument(s), got ${got.length}\nUsage: ${c.usage}`);
  }
}

/** First signal: abort gracefully. Second: leave at once. */
function abortOnSignals(): AbortController {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort(new ShotlistError("interrupted", "interrupted"));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A closed terminal or SSH session: stop as gracefully as on Ctrl-C, not with Node's default kill.
  process.on("SIGHUP", onSignal);
  return controller;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout.write(programHelp());
    return name === undefined ? EXIT.invalid : EXIT.ok;
  }
  if (name === "--version" || name === "-v") {
    stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    throw new ShotlistError("usage", `unknown command "${name}"; expected one of: ${commands.map((c) => c.name).join(", ")}`);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...parseArgsSpec(command.options), help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ShotlistError("usage", `${coerceError(err).message}\nUsage: ${command.usage}`);
  }
  if (parsed.values.help === true) {
    stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  checkPositionals(command, parsed.positionals);
  const controller = abortOnSignals();
  return command.run({
    values: parsed.values,
    positionals: parsed.positionals,
    stdout,
    stderr,
    env: process.env,
    signal: controller.signal,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    stderr.write(`shotlist: ${describeError(err)}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
