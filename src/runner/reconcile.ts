/**
 * The reconcile stage: a create whose answer was lost (a 2xx that could not
 * be read, a reset or a timeout after the request left) may have made a
 * task that runs, and is billed, unseen. Where the API lists the account's
 * tasks, this stage reads the list and adopts the one task that can only be
 * the job's, instead of paying for another. Which task that is, and what
 * becomes of a job when none is, is decided in decide.ts (matchLostCreate,
 * decideLostCreate); this carries it out through the job book.
 */
import { ApiError, MAX_BATCH_IDS, type CreateRequest, type TaskSummary } from "../api/index.js";
import {
  CLOCK_SKEW_MS,
  CREATED_AT_RESOLUTION_MS,
  RECONCILE_DELAY_MS,
  couldBe,
  decideAfterListingError,
  decideLostCreate,
  matchLostCreate,
  type Listing,
  type LostAnswer,
  type LostCreateStep,
  type OpenCreate,
  type ReconcileMatch,
} from "./decide.js";
import type { Polls } from "./polls.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";
import type { Submits } from "./submits.js";

/** Tasks asked for per page, and pages read back at most: past that the account is too busy to tell one task from another. */
const PAGE_SIZE = 50;
const MAX_PAGES = 10;

interface Lost extends OpenCreate {
  lost: LostAnswer;
  dueAt: number;
  /** Why the job is not adopted, once said. */
  said?: string;
  /** Reads of the list that failed for it. */
  listTries: number;
}

/** A read of one model's tasks, as far back as the lost creates need. */
type ListRead = { tasks: TaskSummary[]; complete: boolean } | { error: unknown };

/** What the stage needs of the submit stage: creates on the wire, the tasks it was given, and a way to send again. */
export type SubmitsSide = Pick<Submits, "openCreates" | "tasksGiven" | "awaitResend" | "taskNamed">;

export class Reconcile {
  #listing: Listing = "untried";
  #batchRead: "untried" | "unusable" = "untried";
  /** Jobs whose lost create is being looked for, by key: each keeps its slot meanwhile. */
  readonly #pending = new Map<string, Lost>();
  /** Lost creates whose task was never found: it may exist, so each stays a rival of every other job's match. */
  readonly #unresolved: Lost[] = [];
  /** Tasks this stage adopted: claimed even once their job moved on to another task. */
  readonly #adopted = new Set<string>();
  readonly #runStartMs: number;
  #reading = false;

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "resubmitUnknown" | "taskTimeoutMs" | "pollIntervalMs">,
    private readonly deps: Pick<RunnerDeps, "api">,
    private readonly polls: Pick<Polls, "follow">,
    /** Read when a match is made: the submit stage is built after this one. */
    private readonly submits: () => SubmitsSide,
  ) {
    // Tasks made before this run began are an earlier run's, whatever the list says.
    this.#runStartMs = run.book.now();
  }

  get listing(): Listing {
    return this.#listing;
  }

  /** Jobs being reconciled: each holds a slot, since its task may be running. */
  get size(): number {
    return this.#pending.size;
  }

  hasWork(): boolean {
    return !this.run.signal.aborted && this.run.stop.reason !== "auth" && this.#pending.size > 0;
  }

  nextDue(): number | undefined {
    if (this.#reading) return undefined;
    let due: number | undefined;
    for (const lost of this.#pending.values()) due = due === undefined ? lost.dueAt : Math.min(due, lost.dueAt);
    return due;
  }

  /** Takes a job whose create's answer was lost; `window` is when the create was on the wire. */
  push(key: string, lost: LostAnswer, window: { from_ms: number; to_ms: number }): void {
    this.#pending.set(key, { ...this.#openCreate(key, window.from_ms, window.to_ms), lost, dueAt: window.to_ms + RECONCILE_DELAY_MS, listTries: 0 });
  }

  /** What the job's create asked for, and when it was on the wire. */
  #openCreate(key: string, from_ms: number, to_ms: number): OpenCreate {
    const request = JSON.parse(this.run.book.row(key).request_json) as CreateRequest;
    return { key, model: request.model, duration: request.duration, from_ms, to_ms };
  }

  /** Reads the list for the jobs that are due, one read at a time; their answer is handled at the next turn like any other. */
  start(now: number): void {
    if (this.#reading || !this.hasWork()) return;
    const due = [...this.#pending.values()].filter((l) => l.dueAt <= now);
    if (due.length === 0) return;
    const { answers } = this.run;
    this.#reading = true;
    const read = this.#listing === "unusable" ? Promise.resolve(new Map<string, ListRead>()) : this.#read(due);
    answers.track(read.then(answers.later((reads: Map<string, ListRead>) => this.#settle(due, reads))).finally(() => (this.#reading = false)));
  }

  async #read(due: readonly Lost[]): Promise<Map<string, ListRead>> {
    const reads = new Map<string, ListRead>();
    for (const model of new Set(due.map((l) => l.model))) {
      const since = Math.min(...due.filter((l) => l.model === model).map((l) => l.from_ms)) - CLOCK_SKEW_MS - CREATED_AT_RESOLUTION_MS;
      reads.set(model, await this.#listSince(model, since).catch((error: unknown) => ({ error })));
    }
    await this.#narrow(due, reads);
    return reads;
  }

  /**
   * The model's tasks created since `sinceMs`, page by page (newest first, as
   * EvoLink's own client reads the list). Complete only when the list ran out
   * or reached past `sinceMs` in order, and every item had a time.
   */
  async #listSince(model: string, sinceMs: number): Promise<ListRead> {
    const tasks: TaskSummary[] = [];
    let unreadable = 0;
    let ordered = true;
    for (let page = 1; page <= MAX_PAGES; page++) {
      const got = await this.deps.api.listTasks({ model, page, pageSize: PAGE_SIZE }, { signal: this.run.signal });
      for (const task of got.tasks) {
        const last = tasks.at(-1);
        if (last !== undefined && task.created_ms > last.created_ms) ordered = false;
        tasks.push(task);
      }
      unreadable += got.unreadable;
      const ended = got.tasks.length + got.unreadable < PAGE_SIZE || (got.total !== undefined && page * PAGE_SIZE >= got.total);
      const reachedBack = ordered && got.tasks.some((t) => t.created_ms < sinceMs);
      if (ended || reachedBack) return { tasks, complete: unreadable === 0 };
    }
    return { tasks, complete: false };
  }

  /** Where the list gave no duration, the batch read may: a candidate of another duration is no candidate. */
  async #narrow(due: readonly Lost[], reads: Map<string, ListRead>): Promise<void> {
    if (this.#batchRead === "unusable") return;
    const byId = new Map<string, TaskSummary>();
    for (const read of reads.values()) {
      if ("error" in read) continue;
      for (const task of read.tasks) if (task.video_duration === undefined && due.some((l) => couldBe(task, l))) byId.set(task.id, task);
    }
    if (byId.size === 0) return;
    try {
      for (const task of await this.deps.api.getTasks([...byId.keys()].slice(0, MAX_BATCH_IDS), { signal: this.run.signal })) {
        const summary = byId.get(task.id);
        if (summary === undefined) continue;
        if (task.task_info?.video_duration !== undefined) summary.video_duration = task.task_info.video_duration;
        if (task.model !== undefined) summary.model ??= task.model;
        summary.status ??= task.status;
      }
    } catch (err) {
      // Narrowing is a help, not a need: the match goes on by model and time.
      if (err instanceof ApiError && decideAfterListingError(err.kind, err.apiCode, 0) === "not-offered") this.#batchRead = "unusable";
    }
  }

  #settle(due: readonly Lost[], reads: Map<string, ListRead>): void {
    // The run winds down: the jobs stay unknown, and the next run decides.
    if (this.run.signal.aborted) return;
    const now = this.run.book.now();
    const claimed = this.#claimed();
    for (const lost of due) {
      if (this.#pending.get(lost.key) !== lost) continue;
      const read = reads.get(lost.model);
      if (read === undefined) this.#carryOut(lost, this.#step(lost, "not-offered", now), now);
      else if ("error" in read) this.#onListError(lost, read.error, now);
      else {
        this.#listing = "usable";
        const match = matchLostCreate(lost, read, { claimed, open: this.#rivals(lost.key), runStartMs: this.#runStartMs });
        this.#carryOut(lost, this.#step(lost, match.found, now, match), now, match);
        if (match.found === "one") claimed.add(match.task.id);
      }
    }
  }

  #step(lost: Lost, found: ReconcileMatch["found"] | "not-offered", now: number, match?: ReconcileMatch): LostCreateStep {
    const stopping = this.run.stop.reason !== undefined;
    return decideLostCreate(lost.lost, found, {
      resubmitUnknown: this.config.resubmitUnknown && !stopping,
      windowLeft: this.run.retries.windowLeft(lost.key),
      sinceLostMs: now - lost.to_ms,
      running: match?.found === "several" && match.running,
      holdLeft: !stopping && now - lost.to_ms < this.config.taskTimeoutMs,
    });
  }

  #onListError(lost: Lost, err: unknown, now: number): void {
    if (!(err instanceof ApiError)) throw err;
    const { book, retries } = this.run;
    const decision = decideAfterListingError(err.kind, err.apiCode, ++lost.listTries);
    if (decision === "retry") {
      lost.dueAt = now + Math.max(RECONCILE_DELAY_MS, retries.backoff(lost.listTries));
      return;
    }
    if (decision === "not-offered" && this.#listing !== "unusable") {
      this.#listing = "unusable";
      book.notice(
        `the API offers no task list to find the tasks of lost create answers in (${err.message}): for the rest of this run they are resent only when no answer came at all`,
      );
    }
    const unread = decision === "not-offered" ? undefined : ({ found: "unsure", why: `the task list could not be read: ${errorMessage(err)}` } as const);
    this.#carryOut(lost, this.#step(lost, "not-offered", now), now, unread);
  }

  #carryOut(lost: Lost, step: LostCreateStep, now: number, match?: ReconcileMatch): void {
    switch (step) {
      case "adopt":
        if (match?.found === "one") this.#adopt(lost, match.task, now);
        return;
      case "look-again":
        lost.dueAt = now + RECONCILE_DELAY_MS;
        return;
      case "hold":
        this.#say(lost, refusal(lost, match));
        lost.dueAt = now + Math.max(RECONCILE_DELAY_MS, this.config.pollIntervalMs);
        return;
      case "resend":
        this.#pending.delete(lost.key);
        this.#unresolved.push(lost);
        this.submits().awaitResend(lost.key, now);
        return;
      case "leave":
        this.#leave(lost, refusal(lost, match));
        return;
    }
  }

  #adopt(lost: Lost, task: TaskSummary, now: number): void {
    const { book, retries } = this.run;
    const { key } = lost;
    const row = book.row(key);
    // Noted first, as every task id the API gives: a run that ends before the commit reports it, never loses it.
    book.received(key, task.id);
    book.move(
      key,
      "generating",
      {
        task_id: task.id,
        generation: row.generation + 1,
        submitted_at_ms: lost.from_ms,
        credits_reserved: null,
        progress: 0,
        error_class: null,
        error_code: null,
        error_message: null,
      },
      "adopted",
      { task_id: task.id, by: "task-list", created_at_ms: task.created_ms, window: { from_ms: lost.from_ms, to_ms: lost.to_ms } },
    );
    const answer = lost.lost === "unreadable" ? "its create was answered with an unreadable 2xx" : "its create got no answer";
    book.notice(
      `adopted task ${task.id} for ${row.shot_id} take ${row.take} (${answer}): the only ${lost.model} task the list shows from while that create was on the wire`,
      key,
    );
    this.#pending.delete(key);
    this.#adopted.add(task.id);
    retries.succeeded(key);
    this.submits().taskNamed(key);
    this.polls.follow(key, { id: task.id, status: task.status ?? "pending" }, now);
  }

  /** Says once why the job is not adopted (the slot may still be held while its candidates run). */
  #say(lost: Lost, why: string): void {
    if (lost.said === why) return;
    lost.said = why;
    const row = this.run.book.row(lost.key);
    this.run.book.notice(
      `${row.shot_id} take ${row.take} stays unknown: ${why}; its task may exist. A rerun sends it again (unless --no-resubmit-unknown)`,
      lost.key,
    );
  }

  /** The job stays unknown for this run and gives up its slot; its row and history say why (for `shotlist status`). */
  #leave(lost: Lost, why: string): void {
    this.#say(lost, why);
    const { book } = this.run;
    const row = book.row(lost.key);
    book.update(lost.key, { error_message: `${row.error_message ?? "its create's answer was lost"}; not adopted: ${why}` }, "update", {
      reconcile: "left",
      why,
    });
    this.#pending.delete(lost.key);
    this.#unresolved.push(lost);
  }

  /** Every other create of this run whose task is not known: lost ones, and those still on the wire. */
  #rivals(key: string): OpenCreate[] {
    const rivals: OpenCreate[] = [...this.#pending.values(), ...this.#unresolved].filter((l) => l.key !== key);
    for (const [other, sentAt] of this.submits().openCreates()) if (other !== key) rivals.push(this.#openCreate(other, sentAt, Infinity));
    return rivals;
  }

  /** Task ids some job of this run follows, or followed: none of them is a lost create's. */
  #claimed(): Set<string> {
    const { book } = this.run;
    const claimed = new Set([...this.submits().tasksGiven(), ...this.#adopted]);
    for (const row of book.jobs()) if (row.task_id !== null) claimed.add(row.task_id);
    for (const t of book.tasksInHand()) claimed.add(t.task_id);
    return claimed;
  }
}

/** Why a lost create is not adopted, in words. */
function refusal(lost: Lost, match: ReconcileMatch | undefined): string {
  if (match === undefined || match.found === "one") return "the API offers no task list to look in";
  if (match.found === "none") return `no ${lost.model} task from while its create was on the wire is in the task list`;
  return match.why;
}
