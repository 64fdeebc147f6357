/**
 * Which shots a command works on: `--only PATTERN[,PATTERN]` and `--except
 * PATTERN[,PATTERN]`, shell-style globs over shot ids (`*`, `?`, `[1-3]`,
 * `[!a]`). One place, so every command that takes a selection (plan, run,
 * status, cancel, review, export) reads it the same way. A pattern that
 * matches no shot is a usage error naming the closest ids: a typo must not
 * quietly select nothing, or everything.
 */
import { ShotlistError } from "../errors.js";
import type { Batch } from "./job.js";
import { closest } from "./suggest.js";

export interface Selection {
  /** Comma-separated globs: only the shots matching one of them. */
  only?: string;
  /** Comma-separated globs: leave out the shots matching one of them. */
  except?: string;
}

/** A glob as a whole-id regular expression. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[" && glob.indexOf("]", i + 2) > i) {
      const end = glob.indexOf("]", i + 2);
      const body = glob.slice(i + 1, end);
      const negated = body.startsWith("!") || body.startsWith("^");
      source += `[${negated ? "^" : ""}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&")}]`;
      i = end;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

function patternsOf(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** The batch with only the selected shots' jobs; the batch itself when nothing is selected. */
export function selectShots(batch: Batch, selection: Selection): Batch {
  const only = patternsOf(selection.only);
  const except = patternsOf(selection.except);
  if (only.length === 0 && except.length === 0) return batch;
  const ids = [...new Set(batch.jobs.map((job) => job.shotId))];
  const matchers = (flag: string, patterns: string[]): RegExp[] =>
    patterns.map((pattern) => {
      const re = globToRegExp(pattern);
      if (!ids.some((id) => re.test(id))) throw noMatch(flag, pattern, ids);
      return re;
    });
  const keep = matchers("only", only);
  const drop = matchers("except", except);
  const chosen = (id: string): boolean => (keep.length === 0 || keep.some((re) => re.test(id))) && !drop.some((re) => re.test(id));
  return { ...batch, jobs: batch.jobs.filter((job) => chosen(job.shotId)) };
}

function noMatch(flag: string, pattern: string, ids: readonly string[]): ShotlistError {
  const near = closestIds(pattern, ids);
  const hint = near.length === 0 ? `the manifest's shots are ${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""}` : `closest: ${near.join(", ")}`;
  return new ShotlistError("usage", `--${flag} ${JSON.stringify(pattern)} matches no shot; ${hint}`);
}

/** Up to three ids nearest the pattern: a typo's correction first, then ids sharing its longest literal start. */
function closestIds(pattern: string, ids: readonly string[]): string[] {
  const typo = closest(pattern, ids);
  const literal = /^[^*?[]*/.exec(pattern)?.[0] ?? "";
  let prefix = literal;
  let sharing: string[] = [];
  while (prefix !== "" && (sharing = ids.filter((id) => id.startsWith(prefix))).length === 0) prefix = prefix.slice(0, -1);
  return [...new Set([...(typo === undefined ? [] : [typo]), ...sharing])].slice(0, 3);
}
