/**
 * What the runner does after each outcome, as pure functions: the stages
 * only carry these decisions out, so every rule can be read (and tested) in
 * one place: after a create, a poll, a task failure, a download, and on resume.
 */
import { ApiError, type ApiErrorKind, type TaskSummary } from "../api/index.js";
import type { DownloadErrorKind } from "../download/index.js";
import type { ErrorClass, JobRow, JobState } from "../model/index.js";
import type { StopReason } from "./stop-reasons.js";

/**
 * How a failed create went. Only an ApiError can say the request may have
 * left (kind "ambiguous"); a create refused because the run was interrupted
 * was never sent; anything else thrown before the request is shotlist's own
 * fault, and ends the run rather than risk a task nobody follows.
 */
export type CreateErrorKind = ApiErrorKind | "not_sent" | "internal";

export function createErrorKind(err: unknown, interrupted: boolean): CreateErrorKind {
  if (err instanceof ApiError) return err.kind;
  return interrupted ? "not_sent" : "internal";
}

export interface CreateErrorDecision {
  to: Extract<JobState, "queued" | "unknown" | "failed">;
  errorClass: ErrorClass;
  /** Stop submitting for the whole run (in-flight tasks are still collected). */
  stopRun?: StopReason;
  /** Lower the pace for everyone: wait this long before any new create, and halve the in-flight limit. */
  slowDown?: boolean;
  /** Send it again after a backoff (inside the retry window). */
  retry: boolean;
  /** End the run: shotlist itself failed. */
  endRun?: boolean;
  /** Look for the task in the account's task list before anything else (reconcile.ts). */
  reconcile?: boolean;
}

export function decideAfterCreateError(
  kind: CreateErrorKind,
  options: {
    windowLeft: boolean;
    resubmitUnknown: boolean;
    /** Whether tasks of this run hold slots at the API; unknown counts as yes. */
    othersInFlight?: boolean;
    /** An earlier create of this job got no answer, so its task may exist and run. */
    mayExist?: boolean;
    /** How an ambiguous create's answer was lost. */
    lost?: LostAnswer;
    /** What the run knows of the task list; absent when there is none to look in (the run is stopping). */
    listing?: Listing;
  },
): CreateErrorDecision {
  const decision = createErrorOutcome(kind, options);
  // A 429 or 5xx to a resend says nothing about the earlier create that got no answer: its task may
  // still exist and run, so the job stays unknown (and keeps its slot) rather than become a fresh one.
  return decision.to === "queued" && options.mayExist === true ? { ...decision, to: "unknown" } : decision;
}

function createErrorOutcome(
  kind: CreateErrorKind,
  options: { windowLeft: boolean; resubmitUnknown: boolean; othersInFlight?: boolean; lost?: LostAnswer; listing?: Listing },
): CreateErrorDecision {
  switch (kind) {
    case "rate_limited":
      // 429 means the task was not created: no budget is spent on it. While tasks of this run are in flight the
      // 429 is the account's concurrency limit and waiting is right; with none, an API that refuses every create
      // for the whole retry window will not change its mind: stop sending (the jobs stay queued for the next run)
      // rather than wait forever.
      if (!options.windowLeft && options.othersInFlight === false) return { to: "queued", errorClass: "transient", stopRun: "rate_limited", retry: false };
      return { to: "queued", errorClass: "transient", slowDown: true, retry: true };
    case "transient":
      // No task was created: a job whose creates never got through stays queued (trying again costs nothing),
      // and an API out of reach for the whole window stops the run's creates rather than fail every job.
      return options.windowLeft
        ? { to: "queued", errorClass: "transient", retry: true }
        : { to: "queued", errorClass: "transient", stopRun: "unreachable", retry: false };
    case "ambiguous": {
      // The request may have reached the API. Resending risks paying twice; not resending risks a lost shot.
      // The task list, where the API offers one, may tell which: it is read first.
      if (canReconcile(options.listing)) return { to: "unknown", errorClass: "unknown", retry: false, reconcile: true };
      return { to: "unknown", errorClass: "unknown", retry: decideLostCreate(options.lost ?? "no-answer", "not-offered", options) === "resend" };
    }
    case "invalid":
      return { to: "failed", errorClass: "invalid", retry: false };
    case "auth":
      return { to: "queued", errorClass: "account", stopRun: "auth", retry: false };
    case "quota":
      return { to: "queued", errorClass: "account", stopRun: "quota", retry: false };
    case "not_sent":
      return { to: "queued", errorClass: "transient", retry: false };
    case "internal":
      return { to: "queued", errorClass: "unknown", retry: false, endRun: true };
  }
}

/**
 * How a create's answer was lost. An answer that came but could not be read
 * (HTML, invalid JSON, nothing, 50 MB) means the create arrived: its task
 * almost surely exists. A reset or a timeout after the request may have left
 * means it may or may not.
 */
export type LostAnswer = "unreadable" | "no-answer";

export function lostAnswerOf(err: ApiError): LostAnswer {
  return err.status === undefined ? "no-answer" : "unreadable";
}

/** What the run knows of the account's task list: not read yet, read, or not offered (404/405, no list in the answer). */
export type Listing = "untried" | "usable" | "unusable";

/** When to look in the task list for a lost answer's task: whenever the API may offer one. Once it did not, never again this run. */
export function canReconcile(listing: Listing | undefined): boolean {
  return listing !== undefined && listing !== "unusable";
}

/** How far the API's clock may be from ours. */
export const CLOCK_SKEW_MS = 2_000;
/** `created_at` comes in whole seconds. */
export const CREATED_AT_RESOLUTION_MS = 1_000;
/** The list is read this long after the answer was lost (and again after a read that could not decide): creates on the wire answer meanwhile, and a list that lags catches up. */
export const RECONCILE_DELAY_MS = 1_000;
/** How long a task the API made may take to show in its list. */
export const LIST_LAG_MS = 10_000;

/** A create of this run whose task is not known: its job, what it asked for, and when it was on the wire. */
export interface OpenCreate {
  key: string;
  model: string;
  duration: number;
  /** From just before it was sent to just after its answer came back; `to_ms` is Infinity while it is still on the wire. */
  from_ms: number;
  to_ms: number;
}

/** Whether `task` could be the one `create` made: the same model and duration (where the list says), created while it was on the wire. */
export function couldBe(task: TaskSummary, create: OpenCreate): boolean {
  if (task.model !== undefined && task.model !== create.model) return false;
  if (task.video_duration !== undefined && task.video_duration !== create.duration) return false;
  return task.created_ms <= create.to_ms + CLOCK_SKEW_MS && task.created_ms + CREATED_AT_RESOLUTION_MS > create.from_ms - CLOCK_SKEW_MS;
}

export type ReconcileMatch =
  | { found: "one"; task: TaskSummary }
  | { found: "none" }
  /** A create still on the wire could be the candidate's: look again once it is answered. */
  | { found: "wait"; why: string }
  /** More than one lost create could own what was found: adopting could save another shot's clip under this one's name. */
  | { found: "several"; why: string; running: boolean }
  /** The list could not be read far enough back, or held items without a time: nothing can be ruled out. */
  | { found: "unsure"; why: string };

/**
 * Which task of the list is the lost create's, if one can only be its.
 * A candidate is a task of the same model (and duration, where known)
 * created in the create's window, since this run started, that no job of
 * this run follows. It is adopted only when it is the one candidate and
 * fits no other unresolved create of this run: a lost one, or one still on
 * the wire (then the match waits for that one's answer).
 */
export function matchLostCreate(
  lost: OpenCreate,
  listing: { tasks: readonly TaskSummary[]; complete: boolean },
  others: { claimed: ReadonlySet<string>; open: readonly OpenCreate[]; runStartMs: number },
): ReconcileMatch {
  const candidates = listing.tasks.filter((t) => !others.claimed.has(t.id) && t.created_ms + CREATED_AT_RESOLUTION_MS > others.runStartMs && couldBe(t, lost));
  if (!listing.complete)
    return candidates.length === 0
      ? { found: "unsure", why: "the task list could not be read back to when its create was sent" }
      : several(candidates, "the task list could not be read in full");
  const [only, ...more] = candidates;
  if (only === undefined) return { found: "none" };
  if (more.length > 0) return several(candidates, `${candidates.length} unclaimed ${lost.model} tasks were created while its create was on the wire`);
  const rivals = others.open.filter((o) => o.key !== lost.key && couldBe(only, o));
  if (rivals.some((r) => r.to_ms === Infinity)) return { found: "wait", why: `a create still on the wire could have made task ${only.id}` };
  if (rivals.length > 0) return several(candidates, `task ${only.id} could as well be the lost answer of another job (${rivals.map((r) => r.key).join(", ")})`);
  return { found: "one", task: only };
}

function several(candidates: readonly TaskSummary[], why: string): ReconcileMatch {
  return { found: "several", why, running: candidates.some((t) => t.status === undefined || t.status === "pending" || t.status === "processing") };
}

/** What becomes of a lost create once the list was read (or could not be). */
export type LostCreateStep =
  | "adopt" // follow the one task that can only be its
  | "look-again" // read the list again after RECONCILE_DELAY_MS; the job keeps its slot
  | "hold" // refused, but one of the candidates (maybe its task) still runs: keep the slot and look again
  | "resend" // send the create again with the same Idempotency-Key (the pre-reconciliation policy)
  | "leave"; // stays unknown for this run; a rerun resends it unless --no-resubmit-unknown

/**
 * | lost       | found                 | step                                        |
 * |------------|-----------------------|---------------------------------------------|
 * | any        | one                   | adopt                                       |
 * | any        | wait                  | look-again                                  |
 * | any        | several               | hold while a candidate runs, else leave     |
 * | unreadable | none                  | look-again for LIST_LAG_MS, then leave       |
 * | unreadable | unsure, not-offered   | leave: the create arrived                   |
 * | no-answer  | none, unsure, not-offered | resend if allowed and in the window, else leave |
 *
 * An unreadable 2xx is never resent in its run: the create arrived, so a
 * resend pays twice wherever the Idempotency-Key is ignored.
 */
export function decideLostCreate(
  lost: LostAnswer,
  found: ReconcileMatch["found"] | "not-offered",
  options: {
    resubmitUnknown: boolean;
    /** Inside the job's retry window: a resend may still be sent. */
    windowLeft: boolean;
    /** Since the answer was lost. */
    sinceLostMs?: number;
    /** Some candidate is pending or processing. */
    running?: boolean;
    /** The slot may still be held: the run is not stopping and the candidates have not outlived --task-timeout. */
    holdLeft?: boolean;
  },
): LostCreateStep {
  switch (found) {
    case "one":
      return "adopt";
    case "wait":
      return "look-again";
    case "several":
      return options.running === true && options.holdLeft === true ? "hold" : "leave";
    case "none":
      // The create arrived, so its task exists: the list may lag behind it. A create with no answer likely left none.
      if (lost === "unreadable") return (options.sinceLostMs ?? 0) < LIST_LAG_MS ? "look-again" : "leave";
      return resendOrLeave(lost, options);
    case "unsure":
    case "not-offered":
      return resendOrLeave(lost, options);
  }
}

function resendOrLeave(lost: LostAnswer, options: { resubmitUnknown: boolean; windowLeft: boolean }): LostCreateStep {
  return lost === "no-answer" && options.resubmitUnknown && options.windowLeft ? "resend" : "leave";
}

/** Reads of the task list one lost create tries before it goes on without (its own retry window is the resend's). */
export const LIST_TRIES = 3;

/** A read of the task list failed: is the list not offered (remembered for the run), or worth another try? */
export function decideAfterListingError(kind: ApiErrorKind, apiCode: string | undefined, triesSoFar: number): "not-offered" | "retry" | "give-up" {
  // 404/405 and other refusals, or a 2xx that holds no list: an API without the endpoint (or a gateway page).
  if (kind === "invalid" || kind === "auth" || kind === "quota" || apiCode === "invalid_answer") return "not-offered";
  return triesSoFar < LIST_TRIES ? "retry" : "give-up";
}

export interface TaskFailureDecision {
  to: Extract<JobState, "queued" | "failed">;
  stopRun?: "quota";
}

/**
 * A task that ended `failed` at the API. Retry-later classes become a new
 * task while this run's attempts last; fix-the-input classes never do.
 */
export function decideAfterTaskFailure(errorClass: ErrorClass, tasksThisRun: number, maxAttempts: number): TaskFailureDecision {
  if (errorClass === "account") return { to: "queued", stopRun: "quota" };
  const retryable = errorClass === "transient" || errorClass === "unknown";
  return retryable && tasksThisRun < maxAttempts ? { to: "queued" } : { to: "failed" };
}

/** Extra reads of a task that says completed but lists no result, before it counts as failed. */
export const EMPTY_COMPLETION_READS = 2;

/** A task read `completed` with no result URL: the results may lag the status, so read it again a few times first. */
export function decideOnEmptyCompletion(emptyReadsSoFar: number): "read-again" | "fail" {
  return emptyReadsSoFar < EMPTY_COMPLETION_READS ? "read-again" : "fail";
}

export type PollErrorDecision =
  | { action: "stop-run"; stopRun: "auth" }
  /** The API no longer knows the task: render it again rather than wait forever. */
  | { action: "task-gone" }
  | { action: "retry" }
  /** Out of patience for this run; the task is still the API's, and the next run polls it again. */
  | { action: "give-up" };

/** A read of a task that failed (answers for another task count as transient). */
export function decideAfterPollError(kind: ApiErrorKind, options: { windowLeft: boolean }): PollErrorDecision {
  if (kind === "auth") return { action: "stop-run", stopRun: "auth" };
  if (kind === "invalid") return { action: "task-gone" };
  return options.windowLeft ? { action: "retry" } : { action: "give-up" };
}

/** When to read a task again after a failed read: the API's Retry-After on a 429, else the backoff; never sooner than a poll interval. */
export function pollRetryDelay(kind: ApiErrorKind, options: { retryAfterMs: number | undefined; backoffMs: () => number; pollIntervalMs: number }): number {
  const delay = kind === "rate_limited" && options.retryAfterMs !== undefined ? options.retryAfterMs : options.backoffMs();
  return Math.max(delay, options.pollIntervalMs);
}

export type DownloadErrorDecision =
  /** Read the task again: the API may hand out a fresh URL. */
  | { action: "refresh-url" }
  | { action: "expire" }
  /** The result is not a clip (or, `code` corrupt_result, not a whole one, however often fetched). */
  | { action: "fail"; code?: "corrupt_result" }
  /** The clip stays at the API while its URL lives: a rerun after freeing space saves it. */
  | { action: "keep-for-rerun" }
  | { action: "retry" }
  | { action: "give-up" };

export function decideAfterDownloadError(kind: DownloadErrorKind, options: { windowLeft: boolean; canRefreshUrl: boolean }): DownloadErrorDecision {
  switch (kind) {
    case "expired":
      return options.canRefreshUrl ? { action: "refresh-url" } : { action: "expire" };
    case "invalid":
      return { action: "fail" };
    case "disk":
      return { action: "keep-for-rerun" };
    case "transient":
      return options.windowLeft ? { action: "retry" } : { action: "give-up" };
    case "corrupt":
      // The host may serve it whole next time while the URL lives; a clip still broken after the window is the result itself.
      return options.windowLeft ? { action: "retry" } : { action: "fail", code: "corrupt_result" };
  }
}

/** The failures --retry-failed gives another attempt: every one (true, "all", the bare flag) or one class; false: none. */
export type RetryFailed = boolean | "all" | ErrorClass;

/** What resume reads of a row: its state, its task, and why it failed (for --retry-failed=CLASS). */
export type ResumeRow = Pick<JobRow, "state" | "task_id"> & { error_class?: ErrorClass | null };

export interface ResumeOptions {
  resubmitUnknown: boolean;
  retryFailed: RetryFailed;
  rerenderExpired: boolean;
}

/** What a job found in the state database needs at the start of a run. */
export type ResumeAction =
  | { kind: "submit" } // queued, or to be sent again
  | { kind: "poll" } // a task exists at the API: never resubmit it
  | { kind: "adopt"; taskId: string } // a create's task id the last run received but could not record
  | { kind: "download" }
  | { kind: "check-file" } // done: skip if the clip is intact, else restore it from history/ or fetch it again
  | { kind: "mark-unknown" } // crashed between sending a create and hearing back
  | { kind: "requeue" } // a final failure the user asked to retry
  | { kind: "leave" };

export function decideOnResume(row: ResumeRow, options: ResumeOptions, recoveredTaskId?: string): ResumeAction {
  switch (row.state) {
    case "queued":
      return { kind: "submit" };
    case "submitting":
      return recoveredTaskId === undefined ? { kind: "mark-unknown" } : { kind: "adopt", taskId: recoveredTaskId };
    case "unknown":
      if (recoveredTaskId !== undefined) return { kind: "adopt", taskId: recoveredTaskId };
      return options.resubmitUnknown ? { kind: "submit" } : { kind: "leave" };
    case "generating":
      return { kind: "poll" };
    case "completed":
      return { kind: "download" };
    case "done":
      return { kind: "check-file" };
    case "failed":
    case "cancelled":
      return retries(options.retryFailed, row.error_class) ? { kind: "requeue" } : { kind: "leave" };
    case "expired":
      return options.rerenderExpired ? { kind: "requeue" } : { kind: "leave" };
  }
}

/** Whether --retry-failed covers a failure of this class (a cancelled job has none: only "all" covers it). */
function retries(which: RetryFailed, errorClass: ErrorClass | null | undefined): boolean {
  return which === true || which === "all" || (which !== false && which === errorClass);
}

export interface RoomNeed {
  /** Kept free on the state file's filesystem. */
  stateBytes: number;
  /** Expected size of one clip (the largest saved so far, at least the floor). */
  clipBytes: number;
  /** Clips already on their way: tasks in flight. */
  clipsInFlight: number;
}

interface Room {
  path: string;
  device: number;
  freeBytes: number;
}

/**
 * How many more creates the disks have room for, past the clips already on
 * their way; when none, which filesystem is short and by how much. State and
 * clips on one filesystem add up.
 */
export function createsWithRoom(state: Room, clips: Room, need: RoomNeed): { fits: number; short?: { path: string; freeBytes: number; needBytes: number } } {
  const shared = state.device === clips.device;
  const clipRoom = (shared ? state.freeBytes - need.stateBytes : clips.freeBytes) - need.clipBytes * need.clipsInFlight;
  const fits = Math.max(0, Math.floor(clipRoom / need.clipBytes));
  const stateShort = state.freeBytes < need.stateBytes;
  if (fits > 0 && !stateShort) return { fits };
  const short = stateShort || shared ? state : clips;
  const needBytes = (short === state ? need.stateBytes : 0) + (short === clips || shared ? need.clipBytes * (need.clipsInFlight + 1) : 0);
  return { fits: 0, short: { path: short.path, freeBytes: short.freeBytes, needBytes } };
}

/** What the next run would do with a job, as `plan` shows it. */
export type PlanFate = "render" | "resend" | "collect" | "unchanged" | "left";

/** The fates that send a create (and are paid for): what plan lists and the estimate counts. */
export const SENT_FATES: ReadonlySet<PlanFate> = new Set(["render", "resend"]);

/**
 * A job's fate in the next run, from its row (none: never recorded), by the
 * same rules resume follows: rendered (or resent, a create that may exist),
 * collected (its task is at the API), unchanged (done), or left as it is.
 */
export function planFate(row: ResumeRow | undefined, options: ResumeOptions): PlanFate {
  if (row === undefined) return "render";
  const action = decideOnResume(row, options);
  switch (action.kind) {
    case "submit":
    case "requeue":
      return row.state === "unknown" ? "resend" : "render";
    case "mark-unknown":
      return options.resubmitUnknown ? "resend" : "left";
    case "poll":
    case "adopt":
    case "download":
      return "collect";
    case "check-file":
      return "unchanged";
    case "leave":
      return "left";
  }
}

/** Poll intervals between the safety-net reads of a task whose callback is expected. */
export const CALLBACK_SAFETY_POLLS = 12;

/**
 * When to read next a task the run's callback receiver expects to hear about,
 * given the delay the plain schedule would use (the hook polls.ts calls).
 * Callbacks stand in for polls only while they are seen to work; a task that
 * should be done by now and has not called back may have lost its callback.
 *
 * | callback expected | callbacks arriving | now               | delay                                          |
 * |-------------------|--------------------|-------------------|------------------------------------------------|
 * | no                | any                | any               | plain                                          |
 * | yes               | any                | past the estimate | plain                                          |
 * | yes               | no                 | no estimate       | plain                                          |
 * | yes               | no                 | before it         | max(plain, time to estimate)                   |
 * | yes               | yes                | before it, or none| max(plain, min(12 intervals, time to estimate)) |
 *
 * Expected: its create carried the run's callback URL, and no callback about
 * it was contradicted by its read. Arriving: a callback of this run has been
 * confirmed by the read it led to.
 */
export function callbackPollDelay(
  plainMs: number,
  facts: { intervalMs: number; now: number; expected: boolean; arriving: boolean; estimateEndMs: number | undefined },
): number {
  if (!facts.expected) return plainMs;
  const toEstimate = facts.estimateEndMs === undefined ? Infinity : facts.estimateEndMs - facts.now;
  if (toEstimate <= 0) return plainMs;
  // Before any callback is confirmed, a read ahead of the API's own estimate (the learnt pace reads early) is a GET the callback would have saved.
  if (!facts.arriving) return toEstimate === Infinity ? plainMs : Math.max(plainMs, toEstimate);
  return Math.max(plainMs, Math.min(CALLBACK_SAFETY_POLLS * facts.intervalMs, toEstimate));
}

/** The statuses the API calls back with; a callback claiming another is not acted on. */
export const CALLBACK_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "cancelled"]);

/**
 * What a callback leads to. Only a task this run follows is read, once per
 * (task, status): the API retries a callback up to three times, and a forger
 * who knows a task id must not turn its callbacks into unbounded reads.
 */
export function decideOnCallback(facts: { followed: boolean; status: string; seenBefore: boolean }): "read" | "unknown-task" | "ignored-status" | "repeat" {
  if (!facts.followed) return "unknown-task";
  if (!CALLBACK_STATUSES.has(facts.status)) return "ignored-status";
  return facts.seenBefore ? "repeat" : "read";
}

/** What a run has spent of its credit cap, as the cap counts it (budget.ts). */
export interface Spent {
  /** Reservations of the run's tasks that are not failed (a task whose reservation is not known, at its estimate). */
  reserved: number;
  /** Estimates of creates whose answer was lost (the job is unknown): in full, for the rest of the run. */
  lost: number;
  /** Estimates of creates on the wire, answer not back yet. */
  onWire: number;
  /** Creates on the wire whose model has no estimate: their price is not known yet. */
  unpriced: number;
}

export type CapStep = "send" | "wait" | "stop";

/**
 * Whether the next create may go under the cap `max`. It goes when what the
 * run has reserved, lost and has on the wire, plus its own estimate, fits.
 * While a create of unknown price is on the wire, nothing else goes: its
 * reservation may take the rest, and it shows the model's price. A create
 * without an estimate goes alone, while some of the cap is left. When the
 * next does not fit, the run waits for the creates on the wire (a 429 or a
 * lower reservation frees their count); with none, it stops creating.
 *
 * | unpriced on the wire | next's estimate | fits       | on the wire | step |
 * |----------------------|-----------------|------------|-------------|------|
 * | yes                  | any             | any        | any         | wait |
 * | no                   | none            | cap left   | none        | send |
 * | no                   | none            | any        | some        | wait |
 * | no                   | none            | no cap left| none        | stop |
 * | no                   | known           | yes        | any         | send |
 * | no                   | known           | no         | some        | wait |
 * | no                   | known           | no         | none        | stop |
 */
export function decideUnderCap(max: number, spent: Spent, next: number | undefined): CapStep {
  if (spent.unpriced > 0) return "wait";
  const counted = spent.reserved + spent.lost + spent.onWire;
  // A hair of slack: sums of float reservations must not refuse what fits exactly.
  if (next === undefined ? spent.onWire === 0 && counted < max : counted + next <= max + 1e-9) return "send";
  return spent.onWire > 0 ? "wait" : "stop";
}
