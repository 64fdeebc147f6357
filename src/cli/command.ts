import type { Writable } from "node:stream";
import type { EnvName, Example } from "./environment.js";
import { readOptions, type OptionValues, type OptionTable, type OptionsOf } from "./option-table.js";

export type { OptionValues };

/** stdout or stderr: a terminal says so with `isTTY`. */
export type OutputStream = Writable & { isTTY?: boolean };

/** What a command gets from the frame: parsed arguments and the process's edges. */
export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on the first SIGINT/SIGTERM: stop starting work, finish writes. */
  signal: AbortSignal;
}

interface CommandInfo {
  name: string;
  summary: string;
  /** e.g. "shotlist validate <manifest>" */
  usage: string;
  /** Lines shown by --help after the options. */
  notes?: string[];
  /** A few real invocations, shown by --help (each one parses with the command's options: test/cli/help.test.ts). */
  examples: readonly Example[];
  /** The environment variables the command reads, shown by --help (each one is read: test/cli/help.test.ts). */
  environment: readonly EnvName[];
  /** Positional arguments: exact count, or [min, max]. */
  positionals: number | [number, number];
}

/** One subcommand, as the frame (main.ts, the README check) sees it. */
export interface Command extends CommandInfo {
  options: OptionTable;
  run(ctx: CommandContext): Promise<number>;
}

/** A command as written: its options table, and a run that gets the values typed. */
export interface CommandSpec<T extends OptionTable> extends CommandInfo {
  options: T;
  run(ctx: CommandContext, options: OptionsOf<T>): Promise<number>;
}

/** Commands are thin: read the options, call the core, print, return an exit code. */
export function defineCommand<const T extends OptionTable>(spec: CommandSpec<T>): Command {
  return {
    ...spec,
    async run(ctx) {
      return spec.run(ctx, readOptions(spec.options, ctx.values));
    },
  };
}
