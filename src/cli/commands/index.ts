import type { Command } from "../command.js";
import { exportCommand } from "./export.js";
import { pickCommand } from "./pick.js";
import { cancelCommand } from "./cancel.js";
import { planCommand } from "./plan.js";
import { reviewCommand } from "./review.js";
import { runCommand } from "./run.js";
import { simCommand } from "./sim.js";
import { statusCommand } from "./status.js";
import { validateCommand } from "./validate.js";

/** Every subcommand, in the order `shotlist --help` lists them. Add one line per command. */
export const commands: Command[] = [
  runCommand,
  statusCommand,
  validateCommand,
  planCommand,
  cancelCommand,
  reviewCommand,
  pickCommand,
  exportCommand,
  simCommand,
];
