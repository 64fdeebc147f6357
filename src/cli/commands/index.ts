import type { Command } from "../command.js";

/** Every subcommand, in the order `shotlist --help` lists them. Add one line per command. */
export const commands: Command[] = [];
