import { ShotlistError } from "../errors.js";
import type { OptionValues } from "./command.js";

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
