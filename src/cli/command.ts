import type { ParseArgsConfig } from "node:util";
import type { Writable } from "node:stream";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** What a command gets from the frame: parsed arguments and the process's edges. */
export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Aborted on the first SIGINT/SIGTERM: stop starting work, finish writes. */
  signal: AbortSignal;
  /** Whether stdout is a terminal (progress bars) or a log (plain lines). */
  isTTY: boolean;
}

/** One subcommand. Commands are thin: parse, call the core, print, return an exit code. */
export interface Command {
  name: string;
  summary: string;
  /** e.g. "shotlist validate <manifest>" */
  usage: string;
  /** One line per option, shown by --help. */
  optionHelp: string[];
  options: OptionSpec;
  /** Positional arguments: exact count, or [min, max]. */
  positionals: number | [number, number];
  run(ctx: CommandContext): Promise<number>;
}
