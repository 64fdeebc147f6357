#!/usr/bin/env node
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { ShotlistError, coerceError } from "../errors.js";
import { EXIT, exitCodeFor } from "./exit-codes.js";
import type { Command } from "./command.js";
import { commands } from "./commands/index.js";
import { closest } from "../manifest/suggest.js";
import { describeError } from "./describe-error.js";
import { exampleAndEnvironmentLines } from "./environment.js";
import { helpLines, parseArgsSpec, withBareValues } from "./option-table.js";
import { ProcessOutput } from "./output.js";
import { errorJson, jsonLine } from "../report/index.js";

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
    "Run `shotlist help <command>` (or `shotlist <command> --help`) for a command's options; `shotlist -V` for the version.",
    "Exit codes: 0 ok, 1 finished with failed shots, 2 invalid input or usage, 3 could not run, 130 interrupted.",
    "",
  ].join("\n");
}

function commandHelp(c: Command): string {
  const options = [...helpLines(c.options), "-h, --help  show this help"].map((l) => `  ${l}`);
  return [
    `Usage: ${c.usage}`,
    "",
    c.summary,
    "",
    "Options:",
    ...options,
    "",
    ...(c.notes ?? []).flatMap((n) => [n, ""]),
    ...exampleAndEnvironmentLines(c.examples, c.environment),
  ].join("\n");
}

function checkPositionals(c: Command, got: string[]): void {
  const [min, max] = typeof c.positionals === "number" ? [c.positionals, c.positionals] : c.positionals;
  // The usage line names the arguments: "shotlist run <manifest> [options]".
  const named = [...c.usage.matchAll(/<[^>]+>/g)].map((m) => m[0]);
  if (got.length < min) throw new ShotlistError("usage", `missing ${named[got.length] ?? "an argument"}\nUsage: ${c.usage}`);
  if (got.length > max) throw new ShotlistError("usage", `unexpected argument ${JSON.stringify(got[max])}\nUsage: ${c.usage}`);
}

/** parseArgs' refusal, with the closest real flag when the unknown one looks like a typo of it. */
function usageOf(err: unknown, c: Command, flags: readonly string[]): ShotlistError {
  const message = coerceError(err).message;
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
  const near =
    unknown === undefined
      ? undefined
      : closest(
          unknown,
          flags.map((f) => `--${f}`),
        );
  const hint = near === undefined ? "" : ` (did you mean ${near}?)`;
  return new ShotlistError(
    "usage",
    `${unknown === undefined ? message : `unknown option ${unknown}${hint}`}\nUsage: ${c.usage}\nRun \`shotlist help ${c.name}\` for its options.`,
  );
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
  if (name === "help" && rest[0] !== undefined) return main([rest[0], "--help"]);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    stdout.write(programHelp());
    return name === undefined ? EXIT.invalid : EXIT.ok;
  }
  if (name === "--version" || name === "-v" || name === "-V" || name === "version") {
    stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    const near = closest(
      name,
      commands.map((c) => c.name),
    );
    throw new ShotlistError(
      "usage",
      `unknown command "${name}"${near === undefined ? "" : ` (did you mean ${near}?)`}; expected one of: ${commands.map((c) => c.name).join(", ")}`,
    );
  }
  const spec = parseArgsSpec(command.options);
  let parsed;
  try {
    parsed = parseArgs({
      args: withBareValues(command.options, rest),
      options: { ...spec, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw usageOf(err, command, Object.keys(spec));
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
    // A script that asked for JSON reads the error from stdout too, in the same schema.
    if (process.argv.includes("--json")) stdout.write(jsonLine(errorJson(err, process.exitCode)));
  },
);
