import { Agent, request } from "undici";
import type { Task } from "../api/types.js";
import type { FaultKind, FaultPlan } from "./faults.js";
import type { CallbackRecord, Ledger } from "./ledger.js";
import { CALLBACK_HOLD_MS, CALLBACK_RETRIES } from "./options.js";
import type { Timers } from "./timers.js";

/**
 * POSTs a task's final object to its callback_url as EvoLink documents it:
 * each attempt times out after timeoutMs; a non-2xx answer or an error is
 * retried up to three times after backoff, 2 x backoff, 4 x backoff.
 * The callback fault knobs drop, duplicate, delay or reorder a callback, or
 * send one for another account's task beside it (each written to the ledger).
 */
export class CallbackSender {
  // Its own connection pool, so close() leaves no socket open to a receiver.
  private readonly agent = new Agent();
  private readonly closing = new AbortController();
  /** Callbacks held back by callbackReorderRate until the next one goes. */
  private held: (() => void)[] = [];

  constructor(
    private readonly options: { callbackTimeoutMs: number; callbackBackoffMs: number },
    private readonly ledger: Ledger,
    private readonly timers: Timers,
    private readonly plan: FaultPlan,
  ) {}

  send(url: string, task: Task): void {
    const knobs = this.plan.knobs;
    if (this.plan.chance(knobs.callbackForeignRate)) this.post(url, { ...task, id: this.foreignId() }, "callback_foreign");
    if (this.plan.chance(knobs.callbackDropRate)) {
      this.record(url, task, "callback_dropped");
      return;
    }
    const copies = this.plan.chance(knobs.callbackDuplicateRate) ? 2 : 1;
    const reorder = this.plan.chance(knobs.callbackReorderRate);
    const go = (): void => {
      for (let copy = 1; copy <= copies; copy++) this.post(url, task, copy === 2 ? "callback_duplicated" : reorder ? "callback_reordered" : null);
    };
    const dispatch = (): void => (reorder ? this.hold(go) : this.release(go));
    if (knobs.callbackDelayMs <= 0) return dispatch();
    this.ledger.fault("callback", "callback_delayed", task.id);
    this.timers.after(knobs.callbackDelayMs, dispatch);
  }

  /** Sends this callback, then every one held back before it: they arrive after it. */
  private release(go: () => void): void {
    go();
    for (const held of this.held.splice(0)) held();
  }

  private hold(go: () => void): void {
    let sent = false;
    const once = (): void => {
      if (sent) return;
      sent = true;
      go();
    };
    this.held.push(once);
    this.timers.after(CALLBACK_HOLD_MS, once);
  }

  private post(url: string, task: Task, fault: FaultKind | null): void {
    const record = this.record(url, task, fault);
    this.attempt(record, JSON.stringify(task));
  }

  private record(url: string, task: Task, fault: FaultKind | null): CallbackRecord {
    const record: CallbackRecord = { taskId: task.id, url, taskStatus: task.status, attempts: [], delivered: false, fault };
    this.ledger.callbacks.push(record);
    if (fault !== null) this.ledger.fault("callback", fault, task.id);
    return record;
  }

  /** A task id of the simulator's form that no create made: another account's task. */
  private foreignId(): string {
    const suffix = Math.floor(this.plan.random() * 36 ** 8)
      .toString(36)
      .padStart(8, "0");
    return `task-unified-${Math.floor(this.timers.now() / 1000)}-${suffix}`;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.agent.destroy();
  }

  private attempt(record: CallbackRecord, body: string): void {
    void this.request(record.url, body).then((outcome) => {
      if (this.closing.signal.aborted) return;
      record.attempts.push({ at_ms: this.timers.now(), ...outcome });
      if (outcome.status !== null && outcome.status >= 200 && outcome.status < 300) {
        record.delivered = true;
      } else if (record.attempts.length <= CALLBACK_RETRIES) {
        const delay = this.options.callbackBackoffMs * 2 ** (record.attempts.length - 1);
        this.timers.after(delay, () => this.attempt(record, body));
      }
    });
  }

  private async request(url: string, body: string): Promise<{ status: number | null; error: string | null }> {
    const timeout = this.timers.timeout(this.options.callbackTimeoutMs);
    try {
      const answer = await request(url, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "user-agent": "shotlist-sim" },
        dispatcher: this.agent,
        signal: AbortSignal.any([this.closing.signal, timeout.signal]),
      });
      await answer.body.dump();
      return { status: answer.statusCode, error: null };
    } catch (err) {
      return { status: null, error: err instanceof Error ? err.message : String(err) };
    } finally {
      timeout.clear();
    }
  }
}
