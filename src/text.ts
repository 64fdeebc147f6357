/**
 * Text that reaches a terminal or a log from outside (an API's answer, a
 * manifest, a path, a command line) passes through here: control characters
 * could clear the screen, move the cursor or forge lines there.
 */

/** C0 and C1 control characters. */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL = new RegExp(CONTROL_CHARACTER, "g");
/** The same, but for the line feed that separates the lines of a message. */
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** A one-line text with its control characters made visible as U+FFFD. */
export function printable(text: string): string {
  return text.replace(CONTROL, "\ufffd");
}

/** A text of several lines with every control character but the line feed made visible as U+FFFD. */
export function printableLines(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, "\ufffd");
}

/** Whether a text holds no control character at all (an identifier that must not be altered to be shown). */
export function isPrintable(text: string): boolean {
  return !CONTROL_CHARACTER.test(text);
}

/** A count with its noun: "1 shot", "2 shots", "0 task ids" (`plural` where adding "s" is wrong). */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${noun(n, singular, plural)}`;
}

/** The noun alone, for a count printed another way ("6.9 credits", "1 credit"). */
export function noun(n: number, singular: string, plural = `${singular}s`): string {
  return n === 1 ? singular : plural;
}
