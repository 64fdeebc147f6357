import { inspect } from "node:util";
import { ShotlistError, coerceError } from "../errors.js";
import { printableLines } from "../text.js";

/**
 * What the CLI prints for the error that ended a command. An expected
 * condition says itself in its message; anything else is a bug, printed with
 * its stack and every cause, so a report of it can be acted on. Either way
 * it echoes what came from outside (a manifest's text, a path, an argument),
 * so its control characters are shown as U+FFFD.
 */
export function describeError(err: unknown): string {
  const error = coerceError(err);
  if (error instanceof ShotlistError && error.code !== "internal") return printableLines(error.message);
  const lines = [error.stack ?? error.message];
  const seen = new Set<unknown>([error]);
  for (let cause = error.cause; cause !== undefined && !seen.has(cause); cause = cause instanceof Error ? cause.cause : undefined) {
    seen.add(cause);
    lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : inspect(cause)}`);
  }
  return printableLines(lines.join("\n"));
}
