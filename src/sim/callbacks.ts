import { Agent, request } from "undici";
import type { Task } from "../api/types.js";
import type { CallbackRecord, Ledger } from "./ledger.js";
import { CALLBACK_RETRIES } from "./options.js";
import type { Timers } from "./timers.js";

/**
 * POSTs a task's final object to its callback_url as EvoLink documents it:
 * each attempt times out after timeoutMs; a non-2xx answer or an error is
 * retried up to three times after backoff, 2 x backoff, 4 x backoff.
 */
export class CallbackSender {
  // Its own connection pool, so close() leaves no socket open to a receiver.
  private readonly agent = new Agent();
  private readonly closing = new AbortController();

  constructor(
    private readonly options: { callbackTimeoutMs: number; callbackBackoffMs: number },
    private readonly ledger: Ledger,
    private readonly timers: Timers,
  ) {}

  send(url: string, task: Task): void {
    const record: CallbackRecord = { taskId: task.id, url, taskStatus: task.status, attempts: [], delivered: false };
    this.ledger.callbacks.push(record);
    this.attempt(record, JSON.stringify(task));
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.agent.destroy();
  }

  private attempt(record: CallbackRecord, body: string): void {
    void this.post(record.url, body).then((outcome) => {
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

  private async post(url: string, body: string): Promise<{ status: number | null; error: string | null }> {
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
