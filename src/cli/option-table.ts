/**
 * A command's options as one table: each row says the flag, what it takes,
 * its range, its default and its help line. The parseArgs spec, the `--help`
 * text, the README check and the typed values a command reads all come from
 * it, so a default is written once, here, in the row.
 */
import type { ParseArgsConfig } from "node:util";
import { ShotlistError } from "../errors.js";

/** What parseArgs hands back: strings and booleans by flag name. */
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/**
 * A value, as the user would type it (seconds for a seconds option); or a text
 * where it depends on something else, with the value when the CLI decides it
 * (left out when the core decides: the manifest, the simulator).
 */
export type Default<V> = V | { text: string; value?: V | ((given: OptionValues) => V) };

interface RowBase {
  /** The flag without its dashes: "poll-interval". */
  flag: string;
  /** One line for `--help`; markdown backticks are dropped there. */
  help: string;
}

/** Off unless given. */
export interface BooleanRow extends RowBase {
  kind: "boolean";
}

export interface StringRow extends RowBase {
  kind: "string";
  /** The placeholder after the flag: `--out DIR`. */
  arg: string;
  default?: Default<string>;
}

/** A whole number, a number (decimals allowed), or seconds (decimals allowed; read as milliseconds), within a range. */
export interface NumberRow extends RowBase {
  kind: "whole" | "number" | "seconds";
  arg: string;
  range: { min: number; max: number };
  default?: Default<number>;
}

/** A number from 0 to 1. */
export interface ProbabilityRow extends RowBase {
  kind: "probability";
  arg: string;
  default?: Default<number>;
}

/**
 * A flag that is off unless given, and takes an optional value from a list:
 * `--retry-failed` alone means `bare`, `--retry-failed=transient` one choice
 * (the value only after `=`: a word after a space is an argument).
 */
export interface OptionalChoiceRow extends RowBase {
  kind: "optional-choice";
  arg: string;
  choices: readonly string[];
  bare: string;
}

export type OptionRow = BooleanRow | StringRow | NumberRow | ProbabilityRow | OptionalChoiceRow;

/** Rows by the name the command reads the value under (`pollIntervalMs`), in `--help` order. */
export type OptionTable = Record<string, OptionRow>;

type ValueOf<R> = R extends BooleanRow ? boolean : R extends StringRow | OptionalChoiceRow ? string : number;
type AlwaysSet<R> = R extends BooleanRow ? true : R extends { default: string | number } | { default: { value: unknown } } ? true : false;

/** The values a command reads: every option with a value by default is always there, the rest only when given. */
export type OptionsOf<T extends OptionTable> = { [N in keyof T as AlwaysSet<T[N]> extends true ? N : never]: ValueOf<T[N]> } & {
  [N in keyof T as AlwaysSet<T[N]> extends true ? never : N]?: ValueOf<T[N]>;
};

/** The arguments with each bare optional-choice flag given its `bare` value, as parseArgs reads only `--flag=value` for them. */
export function withBareValues(table: OptionTable, args: readonly string[]): string[] {
  const bare = new Map<string, string>(
    Object.values(table).flatMap((row) => (row.kind === "optional-choice" ? [[`--${row.flag}`, `--${row.flag}=${row.bare}`]] : [])),
  );
  const end = args.indexOf("--");
  return args.map((arg, i) => (end !== -1 && i > end ? arg : (bare.get(arg) ?? arg)));
}

export function parseArgsSpec(table: OptionTable): NonNullable<ParseArgsConfig["options"]> {
  return Object.fromEntries(Object.values(table).map((row) => [row.flag, { type: row.kind === "boolean" ? "boolean" : "string" }]));
}

/** Reads every option of the table from what parseArgs gave, saying what was expected and what came. */
export function readOptions<T extends OptionTable>(table: T, given: OptionValues): OptionsOf<T> {
  const values: Record<string, unknown> = {};
  for (const [name, row] of Object.entries(table)) {
    const raw = given[row.flag];
    if (row.kind === "boolean") {
      values[name] = raw === true;
      continue;
    }
    if (row.kind === "optional-choice") {
      if (raw === undefined) continue;
      if (!row.choices.includes(String(raw))) throw new ShotlistError("usage", `--${row.flag} expects one of ${row.choices.join(", ")}, got "${String(raw)}"`);
      values[name] = String(raw);
      continue;
    }
    const value = raw === undefined ? defaultValue(row, given) : row.kind === "string" ? String(raw) : numberFrom(row, raw);
    if (value !== undefined) values[name] = row.kind === "seconds" ? Math.round((value as number) * 1000) : value;
  }
  return values as OptionsOf<T>;
}

function defaultValue(row: StringRow | NumberRow | ProbabilityRow, given: OptionValues): string | number | undefined {
  const d = row.default;
  if (typeof d !== "object") return d;
  return typeof d.value === "function" ? d.value(given) : d.value;
}

const NUMBER_FORMS = {
  whole: { pattern: /^\d+$/, expects: (r: { min: number; max: number }) => `a whole number from ${r.min} to ${r.max}` },
  number: { pattern: /^\d+(\.\d+)?$/, expects: (r: { min: number; max: number }) => `a number from ${r.min} to ${r.max}` },
  seconds: { pattern: /^\d+(\.\d+)?$/, expects: (r: { min: number; max: number }) => `seconds from ${r.min} to ${r.max}` },
  probability: { pattern: /^(0|1|0?\.\d+)$/, expects: () => "a probability from 0 to 1" },
} as const;

function numberFrom(row: NumberRow | ProbabilityRow, raw: unknown): number {
  const range = row.kind === "probability" ? { min: 0, max: 1 } : row.range;
  const form = NUMBER_FORMS[row.kind];
  const n = typeof raw === "string" && form.pattern.test(raw.trim()) ? Number(raw) : Number.NaN;
  const fits = row.kind === "whole" ? Number.isSafeInteger(n) : Number.isFinite(n);
  if (!fits || n < range.min || n > range.max) throw new ShotlistError("usage", `--${row.flag} expects ${form.expects(range)}, got "${String(raw)}"`);
  return n;
}

/** The option as the user writes it: `--out DIR`, `--verify`. */
export function optionUsage(row: OptionRow): string {
  if (row.kind === "optional-choice") return `--${row.flag}[=${row.arg}]`;
  return row.kind === "boolean" ? `--${row.flag}` : `--${row.flag} ${row.arg}`;
}

/** The default as the README states it (markdown): `off`, `none`, a number, a quoted string, or the row's text. */
export function defaultText(row: OptionRow): string {
  if (row.kind === "boolean" || row.kind === "optional-choice") return "off";
  const d = row.default;
  if (d === undefined) return "none";
  if (typeof d === "object") return d.text;
  return typeof d === "string" ? `\`${d}\`` : String(d);
}

/** The option lines of `--help`, aligned: usage, help, and the default where there is one. */
export function helpLines(table: OptionTable): string[] {
  const rows = Object.values(table);
  const width = Math.max(0, ...rows.map((row) => optionUsage(row).length));
  return rows.map((row) => {
    const suffix = row.kind === "boolean" || row.kind === "optional-choice" || row.default === undefined ? "" : ` [default: ${defaultText(row)}]`;
    return `${optionUsage(row).padEnd(width)}  ${row.help}${suffix}`.replaceAll("`", "");
  });
}
