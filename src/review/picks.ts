import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Document } from "yaml";
import { z } from "zod";
import type { CreateRequest } from "../api/types.js";
import { writeFileDurably } from "../download/index.js";
import { ManifestError, ShotlistError, coerceError, type Problem } from "../errors.js";
import type { Batch } from "../manifest/job.js";
import { canonicalJson } from "../manifest/key.js";
import { fieldName, show } from "../manifest/problem.js";
import { SHOT_ID } from "../manifest/schema.js";
import { parseSource, type Source } from "../manifest/source.js";

/**
 * The review's decisions, kept beside the manifest in `<manifest>.picks.yaml`
 * so a person can read them, edit them, diff them and commit them with it.
 * A decision is about the shot, whichever profile it was looked at under:
 * approving a draft approves the final. It carries a hash of the shot as it
 * was when decided; when the shot changes, the decision is stale and is shown
 * as such, never applied.
 */

export const PICKS_VERSION = 1;
/** The key of `takes` for the run without a profile: parentheses never appear in a profile name. */
export const NO_PROFILE = "(none)";
export const MAX_TAKE = 20;

export type Decision = "approved" | "rejected";

export interface ShotPick {
  decision?: Decision;
  /** The chosen take under each profile it was chosen under (NO_PROFILE: the run without one). */
  takes?: Record<string, number>;
  note?: string;
  /** shotHash of the shot when it was decided. */
  shot: string;
}

export interface Picks {
  version: typeof PICKS_VERSION;
  /** By shot id; a Map, so that a shot named "constructor" is only a shot. */
  shots: Map<string, ShotPick>;
}

/** What one click, key or `pick` argument changes. */
export type PickChange = { decision: Decision | null } | { take: number; profile: string | null } | { note: string };

export type ReviewState = "to review" | "approved" | "rejected";

/** A shot's decision as the gallery and `run --approved` read it. */
export interface ShotReview {
  state: ReviewState;
  /** The shot changed since it was decided: the state is shown, never applied. */
  stale: boolean;
  /** The take chosen under the profile asked about. */
  take?: number;
  note?: string;
}

export interface ApprovedSelection {
  /** Shot ids in manifest order. */
  approved: string[];
  unapproved: { shotId: string; reason: ReviewState | "stale" }[];
}

export function picksPathFor(manifestPath: string): string {
  return `${manifestPath}.picks.yaml`;
}

export function emptyPicks(): Picks {
  return { version: PICKS_VERSION, shots: new Map() };
}

/**
 * A shot's identity for decisions: its request under no profile (prompt,
 * model, inputs, settings), without the take. A profile's changes are left
 * out so a draft's decision holds for the final.
 */
export function shotHash(unprofiledRequest: CreateRequest): string {
  return createHash("sha256").update(canonicalJson(unprofiledRequest), "utf8").digest("hex").slice(0, 16);
}

/** Every shot's hash, in manifest order, from the batch expanded without a profile. */
export function shotHashes(unprofiled: Batch): Map<string, string> {
  if (unprofiled.profile !== null) throw new ShotlistError("internal", `shot hashes come from the batch without a profile, not ${unprofiled.profile}`);
  const hashes = new Map<string, string>();
  for (const job of unprofiled.jobs) if (!hashes.has(job.shotId)) hashes.set(job.shotId, shotHash(job.request));
  return hashes;
}

/** The new picks after one change to one shot; `hash` is the shot's as it is now. */
export function applyPick(picks: Picks, shotId: string, change: PickChange, hash: string): Picks {
  const before = picks.shots.get(shotId);
  const after: ShotPick = { ...before, shot: before?.shot ?? hash };
  if ("note" in change) {
    // A note alone is no decision: a stale decision stays stale.
    if (change.note === "") delete after.note;
    else after.note = change.note;
  } else {
    after.shot = hash;
    if ("take" in change) {
      if (!Number.isInteger(change.take) || change.take < 1 || change.take > MAX_TAKE) {
        throw new ShotlistError("usage", `take must be a whole number 1..${MAX_TAKE}, got ${show(change.take)}`);
      }
      after.decision = "approved";
      after.takes = { ...before?.takes, [change.profile ?? NO_PROFILE]: change.take };
    } else if (change.decision === null) {
      delete after.decision;
      delete after.takes;
    } else {
      after.decision = change.decision;
      // A rejected shot has no chosen take.
      if (change.decision === "rejected") delete after.takes;
    }
  }
  const shots = new Map(picks.shots);
  if (after.decision === undefined && after.takes === undefined && after.note === undefined) shots.delete(shotId);
  else shots.set(shotId, after);
  return { ...picks, shots };
}

/** The words of `pick s01=2 s02=approve` and of the page's buttons, as a change; `note` goes with "note". */
export function changeFor(what: string, profile: string | null, note?: string): PickChange {
  if (/^\d+$/.test(what)) return { take: Number(what), profile };
  if (what === "approve") return { decision: "approved" };
  if (what === "reject") return { decision: "rejected" };
  if (what === "clear") return { decision: null };
  if (what === "note" && note !== undefined) return { note };
  throw new ShotlistError("usage", `expected a take number, approve, reject or clear, got ${show(what)}`);
}

/** A shot's decision now: `hash` is the shot's current hash, `profile` the one whose chosen take is wanted. */
export function reviewOf(picks: Picks, shotId: string, hash: string, profile: string | null): ShotReview {
  const pick = picks.shots.get(shotId);
  if (pick === undefined) return { state: "to review", stale: false };
  const takes = pick.takes ?? {};
  const key = profile ?? NO_PROFILE;
  // A take chosen by hand, without a decision, approves the shot.
  const state: ReviewState = pick.decision ?? (Object.keys(takes).length > 0 ? "approved" : "to review");
  const review: ShotReview = { state, stale: state !== "to review" && pick.shot !== hash };
  const take = Object.hasOwn(takes, key) ? takes[key] : undefined;
  if (take !== undefined) review.take = take;
  if (pick.note !== undefined) review.note = pick.note;
  return review;
}

/** Which shots `run --approved` renders: approved and not stale; every other shot says why not. */
export function approvedSelection(picks: Picks, hashes: Map<string, string>): ApprovedSelection {
  const selection: ApprovedSelection = { approved: [], unapproved: [] };
  for (const [shotId, hash] of hashes) {
    const review = reviewOf(picks, shotId, hash, null);
    if (review.state === "approved" && !review.stale) selection.approved.push(shotId);
    else selection.unapproved.push({ shotId, reason: review.stale ? "stale" : review.state });
  }
  return selection;
}

const pickSchema = z.strictObject({
  decision: z.enum(["approved", "rejected"], { error: 'must be "approved" or "rejected"' }).optional(),
  takes: z
    .record(
      z.string(),
      z
        .number({ error: `must be a take number 1..${MAX_TAKE}` })
        .int({ error: `must be a take number 1..${MAX_TAKE}` })
        .min(1, { error: `must be a take number 1..${MAX_TAKE}` })
        .max(MAX_TAKE, { error: `must be a take number 1..${MAX_TAKE}` }),
      { error: "must be a map of profile name to take number" },
    )
    .optional(),
  note: z.string({ error: "must be a string" }).optional(),
  shot: z.string({ error: "must be the shot's hash (16 hex digits)" }).regex(/^[0-9a-f]{16}$/, { error: "must be the shot's hash (16 hex digits)" }),
});

const picksSchema = z.strictObject(
  {
    version: z.literal(PICKS_VERSION, { error: `must be ${PICKS_VERSION} (the only picks version so far)` }),
    shots: z.record(z.string().regex(SHOT_ID, { error: "must be a shot id" }), pickSchema, { error: "must be a map of shot id to decision" }).default({}),
  },
  { error: "must be a YAML map with version and shots" },
);

/** Parses a picks file's text; every problem is located (file:line:col) and thrown at once. */
export function parsePicks(text: string, file: string): Picks {
  const parsed = parseSource(text, file);
  if (!parsed.ok) throw new ManifestError(parsed.problems);
  if (parsed.source.data === null || parsed.source.data === undefined) return emptyPicks();
  const result = picksSchema.safeParse(parsed.source.data, { reportInput: true });
  if (!result.success) throw new ManifestError(result.error.issues.map((issue) => located(issue, parsed.source)));
  const shots = Object.entries(result.data.shots).map(([id, { decision, takes, note, shot }]): [string, ShotPick] => {
    const pick: ShotPick = { shot };
    if (decision !== undefined) pick.decision = decision;
    if (takes !== undefined) pick.takes = takes;
    if (note !== undefined) pick.note = note;
    return [id, pick];
  });
  return { version: PICKS_VERSION, shots: new Map(shots) };
}

function located(issue: z.core.$ZodIssue, source: Source): Problem {
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  const { line, col } = issue.code === "unrecognized_keys" || issue.code === "invalid_key" ? source.keyAt(path) : source.valueAt(path);
  const field = fieldName(path) || "picks";
  const message =
    issue.code === "unrecognized_keys"
      ? `unknown key ${show(issue.keys[0])}; expected decision, takes, note, shot`
      : issue.input === undefined
        ? `${field} is required`
        : `${field} ${issue.message} (got ${show(issue.input)})`;
  return { file: source.file, line, col, message, severity: "error" };
}

/** The file's text: a header saying how to read it, then the shots in the order given (manifest order). */
export function formatPicks(picks: Picks, order: readonly string[] = []): string {
  const rank = new Map(order.map((id, i) => [id, i]));
  const ids = [...picks.shots.keys()].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
  const shots = Object.fromEntries(ids.map((id) => [id, inFileOrder(picks.shots.get(id))]));
  const doc = new Document({ version: picks.version, shots });
  doc.commentBefore = [
    " Review decisions for the manifest beside this file (shotlist review, shotlist pick); edit freely.",
    "   decision: approved or rejected (absent: still to review)",
    `   takes: the chosen take under each profile ("${NO_PROFILE}": the run without a profile)`,
    "   note: free text",
    "   shot: a hash of the shot when decided; when the shot changes the decision is shown as stale, not applied",
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}

/** The keys in the order a reader wants them; yaml leaves out the undefined ones. */
function inFileOrder(pick: ShotPick | undefined): Record<keyof ShotPick, unknown> | undefined {
  if (pick === undefined) return undefined;
  const { decision, takes, note, shot } = pick;
  return { decision, takes, note, shot };
}

/** Reads the picks file; a missing file is no decisions yet. */
export async function readPicks(path: string): Promise<Picks> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return emptyPicks();
    throw new ShotlistError("invalid_manifest", `cannot read ${path}: ${coerceError(err).message}`);
  }
  return parsePicks(text, path);
}

/** Replaces the picks file atomically: a reader, or an editor, sees the old file or the new one. */
export async function writePicks(path: string, picks: Picks, order: readonly string[] = []): Promise<void> {
  try {
    await writeFileDurably(path, formatPicks(picks, order));
  } catch (err) {
    throw new ShotlistError("disk", `cannot write ${path}: ${coerceError(err).message}`, { cause: err });
  }
}
