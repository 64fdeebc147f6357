import type { CreateRequest, Task, TaskStatus } from "../api/types.js";
import { SimApiError } from "./api-error.js";
import { outcomeFor, seededRandom, taskError, type FaultPlan, type Outcome } from "./faults.js";
import type { Ledger } from "./ledger.js";
import { creditsFor } from "./models.js";
import type { SimOptions } from "./options.js";
import type { Realism } from "./realism.js";
import type { Timers } from "./timers.js";

/**
 * The task model and its clock. A task's timeline is fixed when it is made:
 * pending for the first fifth of its generation time, then processing with
 * progress rising with the simulator's clock, then its outcome (decided from the prompt's
 * markers and the fault knobs) lands on a timer. Only the end is an event;
 * status and progress in between are read off the clock.
 */

export const TASK_ID = /^task-unified-\d+-[a-z0-9]+$/;

type FinalStatus = Extract<TaskStatus, "completed" | "failed" | "cancelled">;

export interface SimTask {
  id: string;
  /** API key that made it. */
  key: string;
  request: CreateRequest;
  /** 1 for the first create of this exact prompt (prompt markers count creates). */
  attempt: number;
  outcome: Outcome;
  credits: number;
  created_ms: number;
  started_ms: number;
  /** Infinity for a task that never finishes. */
  ends_ms: number;
  /** Nominal generation time, for the progress of a task that never ends. */
  genMs: number;
  /** What its estimate is off by (Realism.estimateFactor): 1 is exact. */
  estimateFactor: number;
  final: { status: FinalStatus; at_ms: number } | null;
  /** Expiry of every result URL issued; a download must name one that has not passed. */
  urlExpiries: number[];
}

export interface TaskListItem {
  id: string;
  object: string;
  model: string;
  status: TaskStatus;
  progress: number;
  type: string;
  created_at: number;
  has_results: boolean;
  credits_used: number;
}

type BookOptions = Pick<SimOptions, "urlTtlMs" | "refreshExpiredUrls" | "creditQuota" | "retryAfterS" | "seed">;

export class TaskBook {
  private readonly tasks = new Map<string, SimTask>();
  private readonly attemptsByPrompt = new Map<string, number>();
  private readonly byIdempotencyKey = new Map<string, SimTask>();
  // Ids come from their own stream so fault knobs do not change them.
  private readonly idRandom: () => number;

  constructor(
    private readonly options: BookOptions,
    private readonly plan: FaultPlan,
    private readonly ledger: Ledger,
    private readonly timers: Timers,
    /** Where result files are served, e.g. http://127.0.0.1:PORT */
    private readonly filesBase: () => string,
    /** Told when a task reaches a final status (callbacks). */
    private readonly onEnd: (task: SimTask) => void,
    private readonly realism: Realism,
  ) {
    this.idRandom = seededRandom(options.seed ^ 0x5eed);
  }

  get(id: string): SimTask | undefined {
    return this.tasks.get(id);
  }

  replayOf(key: string, idempotencyKey: string): SimTask | undefined {
    return this.byIdempotencyKey.get(`${key}\n${idempotencyKey}`);
  }

  /** Makes a task, or throws the 429 (in-flight limit) or 402 (credits) to answer. `failure`: a failure code decided before (an input it cannot fetch). */
  create(key: string, request: CreateRequest, idempotencyKey: string | null, failure?: string): SimTask {
    const limit = this.plan.knobs.maxInFlight;
    if (limit !== null && (this.ledger.inFlight[key] ?? 0) >= limit) {
      this.ledger.fault("create", "in_flight_limit");
      throw new SimApiError(
        429,
        "too_many_concurrent_tasks",
        `this key already has ${limit} tasks in flight`,
        null,
        `retry after ${this.options.retryAfterS} seconds`,
      );
    }
    const credits = creditsFor(request);
    const { creditQuota } = this.options;
    if (creditQuota !== null && this.ledger.credits.reserved + this.ledger.credits.charged + credits > creditQuota) {
      this.ledger.fault("create", "quota");
      throw new SimApiError(
        402,
        "insufficient_quota",
        `this task needs ${credits} credits; the account has ${creditQuota - this.ledger.credits.reserved - this.ledger.credits.charged} left`,
        null,
        "top up the account's credits",
      );
    }
    const attempt = (this.attemptsByPrompt.get(request.prompt) ?? 0) + 1;
    this.attemptsByPrompt.set(request.prompt, attempt);
    const now = this.timers.now();
    const genMs = this.realism.durationMs(this.plan);
    const outcome: Outcome = failure === undefined ? outcomeFor(request.prompt, attempt, this.plan) : { end: "failed", code: failure, fault: "dead_input" };
    const task: SimTask = {
      id: this.newId(now),
      key,
      request,
      attempt,
      outcome,
      credits,
      created_ms: now,
      started_ms: now + Math.round(genMs / 5),
      ends_ms: outcome.end === "never" ? Infinity : now + genMs,
      genMs,
      estimateFactor: this.realism.estimateFactor(),
      final: null,
      urlExpiries: [],
    };
    this.tasks.set(task.id, task);
    if (idempotencyKey !== null) this.byIdempotencyKey.set(`${key}\n${idempotencyKey}`, task);
    if (outcome.end !== "completed") this.ledger.fault("task", outcome.fault, task.id);
    this.ledger.taskStarted(key);
    this.ledger.credits.reserved += credits;
    if (outcome.end !== "never") this.timers.after(genMs, () => this.finish(task, outcome.end === "completed" ? "completed" : "failed"));
    return task;
  }

  /** The key's tasks that pass the filter, newest first, as the task list gives them. */
  list(key: string, filter: { status?: TaskStatus; model?: string; type?: string }, now = this.timers.now()): SimTask[] {
    const found: SimTask[] = [];
    for (const task of this.tasks.values()) {
      if (task.key !== key || (filter.model !== undefined && task.request.model !== filter.model) || (filter.type !== undefined && filter.type !== "video"))
        continue;
      if (filter.status === undefined || this.statusAt(task, now) === filter.status) found.push(task);
    }
    // Insertion order is creation order: reversed, the newest come first.
    return found.reverse();
  }

  /** A task as one item of the list: `created_at` in seconds, no result links (the contract's "Reading many tasks"). */
  summary(task: SimTask, now = this.timers.now()): TaskListItem {
    const status = this.statusAt(task, now);
    return {
      id: task.id,
      object: "video.generation.task",
      model: task.request.model,
      status,
      progress: this.progressAt(task, status, now),
      type: "video",
      created_at: Math.floor(task.created_ms / 1000),
      has_results: status === "completed",
      credits_used: status === "completed" ? task.credits : 0,
    };
  }

  /** Cancels a pending or processing task, or throws the 400 to answer. */
  cancel(task: SimTask): void {
    if (task.final !== null)
      throw new SimApiError(400, "task_not_cancellable", `task ${task.id} is ${task.final.status} and can no longer be cancelled`, "task_id");
    this.finish(task, "cancelled");
  }

  /** The task object the API answers at `now`. */
  view(task: SimTask, now = this.timers.now()): Task {
    const status = this.statusAt(task, now);
    const base = {
      id: task.id,
      object: "video.generation.task",
      created: Math.floor(task.created_ms / 1000),
      model: task.request.model,
      status,
      progress: this.progressAt(task, status, now),
      type: "video",
    };
    if (status === "pending") {
      // Like the real API, only the first answers carry the estimate and usage.
      const remaining = Number.isFinite(task.ends_ms) ? task.ends_ms - now : task.genMs;
      return {
        ...base,
        task_info: {
          can_cancel: true,
          estimated_time: Math.max(1, Math.ceil((remaining * task.estimateFactor) / 1000)),
          video_duration: task.request.duration,
        },
        usage: { billing_rule: "per_second", credits_reserved: task.credits, user_group: "default" },
      };
    }
    if (status === "processing") return { ...base, task_info: { can_cancel: true } };
    if (status === "completed") return { ...base, results: [this.resultUrl(task, now)], task_info: { can_cancel: false } };
    if (status === "failed" && task.outcome.end === "failed") return { ...base, error: taskError(task.outcome.code), task_info: { can_cancel: false } };
    return { ...base, task_info: { can_cancel: false } };
  }

  /** Whether `expires_ms` names a URL issued for this task that has not expired. */
  urlState(task: SimTask, expires_ms: number, now = this.timers.now()): "valid" | "expired" | "unknown" {
    if (!task.urlExpiries.includes(expires_ms)) return "unknown";
    return now < expires_ms ? "valid" : "expired";
  }

  private statusAt(task: SimTask, now: number): TaskStatus {
    if (task.final !== null) return task.final.status;
    return now < task.started_ms ? "pending" : "processing";
  }

  private progressAt(task: SimTask, status: TaskStatus, now: number): number {
    if (status === "completed") return 100;
    if (status === "pending" || status === "failed") return 0;
    const end = task.final?.at_ms ?? now;
    const span = Math.max(1, task.genMs - (task.started_ms - task.created_ms));
    return this.realism.progress((end - task.started_ms) / span);
  }

  /** The current URL, or a fresh one when it expired and refreshExpiredUrls is on. */
  private resultUrl(task: SimTask, now: number): string {
    const last = task.urlExpiries.at(-1);
    const expires = last !== undefined && (now < last || !this.options.refreshExpiredUrls) ? last : now + this.options.urlTtlMs;
    if (expires !== last) task.urlExpiries.push(expires);
    return `${this.filesBase()}/files/${task.id}.mp4?exp=${expires}`;
  }

  private finish(task: SimTask, status: FinalStatus): void {
    if (task.final !== null) return;
    const now = this.timers.now();
    task.final = { status, at_ms: now };
    this.ledger.finishes.push({ at_ms: now, taskId: task.id, taskStatus: status });
    this.ledger.taskEnded(task.key);
    this.ledger.credits.reserved -= task.credits;
    // Failed and cancelled tasks are not billed.
    if (status === "completed") {
      this.ledger.credits.charged += task.credits;
      task.urlExpiries.push(now + this.options.urlTtlMs);
    }
    this.onEnd(task);
  }

  private newId(now: number): string {
    for (;;) {
      const id = `task-unified-${Math.floor(now / 1000)}-${Math.floor(this.idRandom() * 36 ** 8)
        .toString(36)
        .padStart(8, "0")}`;
      if (!this.tasks.has(id)) return id;
    }
  }
}
