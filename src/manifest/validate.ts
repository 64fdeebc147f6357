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
    // Parsed again to report the inputs only when it fails: reportInput made every shot's parse four times slower.
    const shot = shotSchema.safeParse(raw);
    if (shot.success) return shot.data;
    const issues = shotSchema.safeParse(raw, { reportInput: true }).error?.issues ?? shot.error.issues;
    problems.push(...schemaProblems(underShot(issues, i), source));
    return undefined;
  });
  problems.push(...duplicateIds(rawShots, source));
  if (head.success) problems.push(...profilesNamedLikeShots(Object.keys(head.data.profiles ?? {}), rawShots, source));
  if (head.success) problems.push(...shotProblems(head.data, shots, source));

  const sorted = sortUnique(problems);
  if (!head.success || sorted.some((p) => p.severity === "error")) return { ok: false, problems: sorted };
  const manifest: Manifest = { ...head.data, shots: shots.filter((s) => s !== undefined) };
  const same = sameRequests(manifest, source);
  if (same.length > 0) return { ok: false, problems: sortUnique([...problems, ...same]) };
  return { ok: true, manifest, source, warnings: sorted };
}

/**
 * Two shots that send exactly the same request (under no profile or under one)
 * would share one job key, and so one job: the run could not tell them apart.
 * Only shots with the same prompt can: only those are resolved and keyed
 * (keying every shot under every profile was a fifth of a big validate).
 */
function sameRequests(manifest: Manifest, source: Source): Problem[] {
  const byPrompt = new Map<string, number[]>();
  manifest.shots.forEach((shot, index) => {
    const alike = byPrompt.get(shot.prompt);
    if (alike === undefined) byPrompt.set(shot.prompt, [index]);
    else alike.push(index);
  });
  const groups = [...byPrompt.values()].filter((alike) => alike.length > 1);
  const problems: Problem[] = [];
  for (const profile of [null, ...Object.keys(manifest.profiles ?? {})]) {
    for (const alike of groups) {
      const firstShot = new Map<string, number>();
      for (const index of alike) {
        const key = jobKey(requestOf(resolveShot(manifest, manifest.shots[index] as Shot, index, profile)), 1);
        const first = firstShot.get(key);
        if (first === undefined) firstShot.set(key, index);
        else problems.push(sameRequestProblem(manifest, source, first, index, profile));
      }
    }
  }
  return problems;
}

function sameRequestProblem(manifest: Manifest, source: Source, first: number, second: number, profile: string | null): Problem {
  const under = profile === null ? "" : ` under profile ${profile}`;
  const line = source.valueAt(["shots", first, "id"]).line;
  return problemAt(
    source,
    ["shots", second, "prompt"],
    `sends exactly the same request as shot ${manifest.shots[first]?.id ?? ""} (line ${line})${under}, so the two would be one job: give one shot \`takes: 2\` for another render, or make their prompts or settings differ`,
  );
}

function underShot(issues: readonly z.core.$ZodIssue[], index: number): z.core.$ZodIssue[] {
  return issues.map((issue) => ({ ...issue, path: ["shots", index, ...issue.path] }));
}

function shotProblems(head: ManifestHead, shots: (Shot | undefined)[], source: Source): Problem[] {
  const problems: Problem[] = [];
  const variants = [null, ...Object.keys(head.profiles ?? {})];
  shots.forEach((raw, index) => {
    if (raw === undefined) return;
    for (const profile of variants) {
      const shot = resolveShot(head, raw, index, profile);
      checkShot({
        shot,
        raw,
        report: (path, message, severity) => problems.push(problemAt(source, path, message, severity === undefined ? {} : { severity })),
      });
    }
  });
  return problems;
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
