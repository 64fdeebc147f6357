import type { z } from "zod";
import { formatProblem, type Problem } from "../errors.js";
import { requestOf } from "./expand.js";
import { jobKey } from "./key.js";
import { schemaProblems } from "./issues.js";
import { problemAt, show } from "./problem.js";
import { resolveShot } from "./resolve.js";
import { checkShot } from "./rules.js";
import { manifestHeadSchema, shotSchema, type Manifest, type ManifestHead, type Shot } from "./schema.js";
import { parseSource, type Path, type Source } from "./source.js";

export type Validation =
  /** `source` locates what later checks find (local files on disk). */
  | { ok: true; manifest: Manifest; source: Source; warnings: Problem[] }
  /** Every problem in source order, warnings included. */
  | { ok: false; problems: Problem[] };

/**
 * Checks a manifest's text completely, without I/O: YAML, schema, then every
 * shot against its model under no profile and under each profile (a profile
 * is valid only if every shot renders with it). Reports every problem at once.
 */
export function validateManifest(text: string, file: string): Validation {
  const parsed = parseSource(text, file);
  if (!parsed.ok) return { ok: false, problems: parsed.problems };
  const { source } = parsed;
  if (source.data === null || source.data === undefined) {
    return { ok: false, problems: [{ file, message: "manifest is empty", severity: "error" }] };
  }

  const problems: Problem[] = [];
  const head = manifestHeadSchema.safeParse(source.data, { reportInput: true });
  if (!head.success) problems.push(...schemaProblems(head.error.issues, source));
  const rawShots = Array.isArray((source.data as { shots?: unknown }).shots) ? (source.data as { shots: unknown[] }).shots : [];
  const shots = rawShots.map((raw, i) => {
    const shot = shotSchema.safeParse(raw, { reportInput: true });
    if (!shot.success) problems.push(...schemaProblems(underShot(shot.error.issues, i), source));
    return shot.success ? shot.data : undefined;
  });
  problems.push(...duplicateIds(rawShots, source));
  if (head.success) problems.push(...profilesNamedLikeShots(Object.keys(head.data.profiles ?? {}), rawShots, source));
  const checked = head.success ? shotProblems(head.data, shots, source) : { problems: [], same: [] };
  problems.push(...checked.problems);

  const sorted = sortUnique(problems);
  if (!head.success || sorted.some((p) => p.severity === "error")) return { ok: false, problems: sorted };
  const manifest: Manifest = { ...head.data, shots: shots.filter((s) => s !== undefined) };
  if (checked.same.length > 0)
    return { ok: false, problems: sortUnique([...problems, ...checked.same.map((same) => sameRequestProblem(same, manifest, source))]) };
  return { ok: true, manifest, source, warnings: sorted };
}

/**
 * Two shots that send exactly the same request (under no profile or under one)
 * would share one job key, and so one job: the run could not tell them apart.
 */
interface SameRequest {
  first: number;
  second: number;
  profile: string | null;
}

function sameRequestProblem({ first, second, profile }: SameRequest, manifest: Manifest, source: Source): Problem {
  const under = profile === null ? "" : ` under profile ${profile}`;
  const line = source.valueAt(["shots", first, "id"]).line;
  const firstId = manifest.shots[first]?.id ?? "";
  return problemAt(
    source,
    ["shots", second, "prompt"],
    `sends exactly the same request as shot ${firstId} (line ${line})${under}, so the two would be one job: give one shot \`takes: 2\` for another render, or make their prompts or settings differ`,
  );
}

function underShot(issues: readonly z.core.$ZodIssue[], index: number): z.core.$ZodIssue[] {
  return issues.map((issue) => ({ ...issue, path: ["shots", index, ...issue.path] }));
}

/**
 * Every shot under no profile and under each profile: its rules, and its
 * first take's key, to find shots that send the same request (reported only
 * when nothing else is wrong: an error may be why two shots look alike).
 */
function shotProblems(head: ManifestHead, shots: (Shot | undefined)[], source: Source): { problems: Problem[]; same: SameRequest[] } {
  const problems: Problem[] = [];
  const same: SameRequest[] = [];
  const report = (path: Path, message: string, severity?: Problem["severity"]): void => {
    problems.push(problemAt(source, path, message, severity === undefined ? {} : { severity }));
  };
  const variants = [null, ...Object.keys(head.profiles ?? {})].map((profile) => ({ profile, firstShot: new Map<string, number>() }));
  shots.forEach((raw, index) => {
    if (raw === undefined) return;
    for (const { profile, firstShot } of variants) {
      const shot = resolveShot(head, raw, index, profile);
      checkShot({ shot, raw, report });
      if (shot.model === undefined) continue;
      const key = jobKey(requestOf(shot), 1);
      const first = firstShot.get(key);
      if (first === undefined) firstShot.set(key, index);
      else same.push({ first, second: index, profile });
    }
  });
  return { problems, same };
}

function duplicateIds(rawShots: unknown[], source: Source): Problem[] {
  // Indexes, not lines: a place is looked up only for a duplicate (placing every id cost a document with positions).
  const firstIndex = new Map<string, number>();
  return rawShots.flatMap((raw, i) => {
    const id = (raw as { id?: unknown } | null)?.id;
    if (typeof id !== "string") return [];
    const path: Path = ["shots", i, "id"];
    const seen = firstIndex.get(id);
    if (seen === undefined) {
      firstIndex.set(id, i);
      return [];
    }
    const line = source.valueAt(["shots", seen, "id"]).line;
    return [problemAt(source, path, `duplicate shot id (first used on line ${line}); ids name output folders and must be unique`)];
  });
}

/** A profile's clips go to <batch>/<profile>/<shot>/, a shot's to <batch>/<shot>/: the two must not share a name. */
function profilesNamedLikeShots(profiles: string[], rawShots: unknown[], source: Source): Problem[] {
  const shotIds = new Set(rawShots.map((raw) => (raw as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === "string"));
  return profiles
    .filter((name) => shotIds.has(name))
    .map((name) =>
      problemAt(
        source,
        ["profiles", name],
        `profile ${show(name)} has the name of a shot: both name a folder of the batch, so their clips would collide; rename one of them`,
      ),
    );
}

/**
 * Sorted by place and deduplicated: a value from `defaults` or a profile is
 * checked once per shot (and per profile) but is one mistake, reported once.
 */
function sortUnique(problems: Problem[]): Problem[] {
  const unique = new Map(problems.map((p) => [formatProblem(p), p]));
  return [...unique.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}
