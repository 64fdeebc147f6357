import { ShotlistError } from "../errors.js";
import type { OptionSpec, OptionValues } from "./command.js";

/** Reads an optional whole-number flag, saying what was expected and what came. */
export function intOption(values: OptionValues, name: string, range: { min: number; max: number }): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
    throw new ShotlistError("usage", `--${name} expects a whole number from ${range.min} to ${range.max}, got "${String(raw)}"`);
  }
  return n;
}

/** Reads an optional duration in seconds (decimals allowed) and returns milliseconds. */
export function secondsOption(values: OptionValues, name: string, range: { min: number; max: number }): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n < range.min || n > range.max) {
    throw new ShotlistError("usage", `--${name} expects seconds from ${range.min} to ${range.max}, got "${String(raw)}"`);
  }
  return Math.round(n * 1000);
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const raw = values[name];
  return typeof raw === "string" ? raw : undefined;
}

export function flag(values: OptionValues, name: string): boolean {
  return values[name] === true;
}

/** The flags that say where a batch's run lives, shared by `run` and `status`. */
export const BATCH_LOCATION_OPTIONS = {
  profile: { type: "string" },
  out: { type: "string" },
  state: { type: "string" },
} as const satisfies OptionSpec;

export const BATCH_LOCATION_HELP = [
  "--profile NAME          apply a named profile from the manifest (e.g. draft)",
  "--out DIR               output folder (default ./out)",
  "--state FILE            state database (default <out>/<batch>/.shotlist/state.db)",
];

export function batchLocation(values: OptionValues): { outDir: string; profile?: string; statePath?: string } {
  const profile = stringOption(values, "profile");
  const statePath = stringOption(values, "state");
  return {
    outDir: stringOption(values, "out") ?? "out",
    ...(profile === undefined ? {} : { profile }),
    ...(statePath === undefined ? {} : { statePath }),
  };
}
