/**
 * The credit cap (`run --max-credits N`, manifest `budget.max_credits`): what
 * this run has reserved, lost and has on the wire, kept from the moves the
 * book commits. "This run" is the spend run (store migration 000004): the
 * runs from the one that found none open to the one that finishes the
 * batch's work, so a run killed, interrupted or stopped by the cap and run
 * again counts what it had reserved. On resume the history of the spend run
 * is folded the same way the live moves are. The decision is decide.ts's.
 */
import type { CreateRequest } from "../api/index.js";
import { creditsCount, creditsText, ObservedRates } from "../manifest/estimate.js";
import { counted } from "../text.js";
import type { EventKind, EventRow, JobRow, JobState } from "../model/index.js";
import { decideUnderCap, type CapStep, type Spent } from "./decide.js";
import type { RunStop } from "./stop-reasons.js";

/** One committed move, live (job:state) or from the history (events). */
export interface SpendMove {
  key: string;
  from: JobState | null;
  to: JobState | null;
  kind: EventKind;
  taskId: string | null;
  /** The task's reservation, where known. */
  credits: number | null;
}

/** How a run stopped by its cap ends: the figures of its last line, in --json and report.json too. */
export interface CapOutcome {
  max_credits: number;
  /** Credits the run counts as taken: reservations of its tasks that are not failed, and its lost creates in full. */
  reserved: number;
  /** Jobs left unsent: queued, or unknown and not sent again. */
  not_sent: number;
  /** Their estimate; jobs of a model with no estimate are left out of it and counted in not_sent_unpriced. */
  not_sent_credits: number;
  not_sent_unpriced: number;
}

/** Lost creates: their answer never came, so a task may exist and be billed. */
const LOST: ReadonlySet<EventKind> = new Set(["create-ambiguous", "crashed-while-submitting"]);

export class CreditCap {
  readonly #rates: ObservedRates;
  readonly #requests = new Map<string, CreateRequest>();
  readonly #onWire = new Set<string>();
  /** One job key per lost create. */
  readonly #lost: string[] = [];
  /** The run's tasks that are not failed, by task id. */
  readonly #tasks = new Map<string, { key: string; credits: number | null }>();
  readonly #current = new Map<string, string>();

  /** `rows`: every row of the batch (edited shots' too, whose tasks may be this run's); `history`: its events since the spend run began. */
  constructor(
    readonly max: number,
    rows: readonly JobRow[],
    history: readonly EventRow[],
    private readonly stop: Pick<RunStop, "stop">,
  ) {
    this.#rates = ObservedRates.fromRows(rows);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    for (const row of rows) this.#requests.set(row.key, JSON.parse(row.request_json) as CreateRequest);
    for (const event of history) {
      const taskId = taskIdOf(event.detail_json);
      const row = byKey.get(event.key);
      const credits = row !== undefined && taskId !== null && row.task_id === taskId ? row.credits_reserved : null;
      this.fold({ key: event.key, from: event.from_state, to: event.to_state, kind: event.kind, taskId, credits });
    }
  }

  fold(move: SpendMove): void {
    const { key, from, to } = move;
    if (to === "submitting") this.#onWire.add(key);
    if (from === "submitting") {
      this.#onWire.delete(key);
      if (to === "unknown" && LOST.has(move.kind)) this.#lost.push(key);
    }
    if (from === "unknown" && to === "generating") {
      // A lost create's task was found (the task list, a recovery note): it is counted as the task from here.
      const at = this.#lost.indexOf(key);
      if (at >= 0) this.#lost.splice(at, 1);
    }
    if (to === "generating" && move.taskId !== null) {
      this.#tasks.set(move.taskId, { key, credits: move.credits });
      this.#current.set(key, move.taskId);
      const request = this.#requests.get(key);
      if (move.credits !== null && request !== undefined) this.#rates.observe(request, move.credits);
    }
    // A task the API failed (or no longer knows) is not billed; one timed out on our side may still run.
    if (from === "generating" && (to === "queued" || (to === "failed" && move.kind !== "timeout"))) {
      const task = this.#current.get(key);
      if (task !== undefined) this.#tasks.delete(task);
    }
  }

  #estimate(key: string): number | undefined {
    const request = this.#requests.get(key);
    return request === undefined ? undefined : this.#rates.estimate(request).credits;
  }

  /** What is counted now, with `planned` (this turn's intents, not yet committed) on the wire too. */
  spent(planned: readonly string[] = []): Spent {
    let onWire = 0;
    let unpriced = 0;
    for (const key of [...this.#onWire, ...planned]) {
      const estimate = this.#estimate(key);
      if (estimate === undefined) unpriced++;
      else onWire += estimate;
    }
    let reserved = 0;
    for (const task of this.#tasks.values()) reserved += task.credits ?? this.#estimate(task.key) ?? 0;
    const lost = this.#lost.reduce((sum, key) => sum + (this.#estimate(key) ?? 0), 0);
    return { reserved, lost, onWire, unpriced };
  }

  /** Whether job `key`'s create may go now, after `planned`; on "stop", the run stops creating (stop reason budget). */
  admits(key: string, planned: readonly string[]): CapStep {
    const spent = this.spent(planned);
    const next = this.#estimate(key);
    const step = decideUnderCap(this.max, spent, next);
    if (step === "stop") {
      const taken = spent.reserved + spent.lost;
      const cost = next === undefined ? "of a model with no estimate" : `about ${creditsCount(next)}`;
      this.stop.stop("budget", `${creditsText(taken)} of ${creditsCount(this.max)} reserved; the next job (${cost}) does not fit`);
    }
    return step;
  }

  /** The figures a run stopped by the cap ends with, from its rows at the end. */
  outcome(rows: readonly JobRow[]): CapOutcome {
    const spent = this.spent();
    const unsent = rows.filter((row) => row.state === "queued" || row.state === "unknown");
    const estimates = unsent.map((row) => this.#estimate(row.key));
    return {
      max_credits: this.max,
      reserved: spent.reserved + spent.lost,
      not_sent: unsent.length,
      not_sent_credits: estimates.reduce<number>((sum, credits) => sum + (credits ?? 0), 0),
      not_sent_unpriced: estimates.filter((credits) => credits === undefined).length,
    };
  }
}

/** `budget: 412.3 of 420 credits reserved; 6 jobs not sent (about 53.3 credits)`: the last line of a run its cap stopped. */
export function capLine(cap: CapOutcome): string {
  const jobs = `${counted(cap.not_sent, "job")} not sent`;
  const unpriced = cap.not_sent_unpriced > 0 ? `, ${cap.not_sent_unpriced} of them with no estimate` : "";
  return `budget: ${creditsText(cap.reserved)} of ${creditsCount(cap.max_credits)} reserved; ${jobs} (about ${creditsCount(cap.not_sent_credits)}${unpriced})`;
}

function taskIdOf(detailJson: string | null): string | null {
  if (detailJson === null) return null;
  const detail = JSON.parse(detailJson) as { task_id?: unknown } | null;
  return typeof detail?.task_id === "string" ? detail.task_id : null;
}
