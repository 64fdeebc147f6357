/**
 * The download stage: saves each completed job's clip. Downloads run beside
 * the generation slots (a clip being saved holds no task at the API), up to
 * --download-concurrency at once; transient errors retry inside the job's
 * retry window, and a dead result URL is refreshed once from its task.
 */
import type { Task } from "../api/index.js";
import type { SavedClip } from "../deliver/index.js";
import { DownloadError } from "../download/index.js";
import { decideAfterDownloadError } from "./decide.js";
import { KeyQueue, Timers } from "./loop-tools.js";
import { errorMessage, type RunParts } from "./run-parts.js";
import type { RunnerConfig, RunnerDeps } from "./runner-config.js";

export class Downloads {
  readonly #queue = new KeyQueue();
  readonly #timers = new Timers();
  readonly #downloading = new Set<string>();
  readonly #refreshedUrl = new Set<string>();

  constructor(
    private readonly run: RunParts,
    private readonly config: Pick<RunnerConfig, "downloadConcurrency" | "urlLifetimeMs">,
    private readonly deps: Pick<RunnerDeps, "api" | "clips">,
    /** Where a saved clip goes next (the delivery stage), if anywhere. */
    private readonly next?: { push(key: string): void },
  ) {}

  /** Queues a job whose clip is ready (state completed) to be saved. */
  push(key: string): void {
    this.#queue.push(key);
  }

  /** Whether downloads wait to start, now or after a backoff (the ones running are tracked work). */
  hasWork(): boolean {
    return this.#queue.size > 0 || this.#timers.has("download");
  }

  /** When the next backed-off download is due, if any. */
  nextDue(): number | undefined {
    return this.#timers.nextDue();
  }

  start(now: number): void {
    for (const key of this.#timers.takeDue("download", now)) this.#queue.push(key);
    while (!this.run.signal.aborted && this.#downloading.size < this.config.downloadConcurrency) {
      const key = this.#queue.shift();
      if (key === undefined) return;
      this.#download(key);
    }
  }

  #download(key: string): void {
    const { book, answers, retries } = this.run;
    const row = book.row(key);
    if (row.result_url === null) {
      book.move(key, "expired", { error_class: "download", error_message: "no result URL was recorded for this task" }, "expired");
      return;
    }
    this.#downloading.add(key);
    answers.track(
      this.deps.clips
        .save(row, row.result_url, this.run.signal)
        .then(
          answers.later((saved: SavedClip) => {
            if (saved.movedToHistory !== undefined) book.notice(`kept the earlier version of ${row.shot_id} take ${row.take} at ${saved.movedToHistory}`, key);
            retries.succeeded(key);
            book.move(
              key,
              "done",
              {
                output_path: saved.outputPath,
                bytes: saved.bytes,
                sha256: saved.sha256,
                done_at_ms: book.now(),
                error_class: null,
                error_code: null,
                error_message: null,
              },
              "saved",
              { resumed_from: saved.resumedFrom },
            );
            this.next?.push(key);
          }),
          answers.later((err: unknown) => this.#onDownloadError(key, err)),
        )
        .finally(() => this.#downloading.delete(key)),
    );
  }

  #onDownloadError(key: string, err: unknown): void {
    if (this.run.signal.aborted) return;
    const { book, retries } = this.run;
    const kind = err instanceof DownloadError ? err.kind : "transient";
    const message = errorMessage(err);
    const row = book.row(key);
    // The window opens only for errors that retry (it is shared with the other stages).
    const decision = decideAfterDownloadError(kind, {
      windowLeft: (kind === "transient" || kind === "corrupt") && retries.windowLeft(key),
      canRefreshUrl: !this.#refreshedUrl.has(key) && row.task_id !== null,
    });
    switch (decision.action) {
      case "refresh-url":
        return this.#refreshUrl(key, row.task_id as string);
      case "expire":
        book.move(
          key,
          "expired",
          { error_class: "download", error_message: `the result URL no longer works (${message}); run again with --rerender-expired to render it anew` },
          "expired",
        );
        return;
      case "fail":
        book.move(key, "failed", { error_class: "download", error_code: decision.code ?? null, error_message: message }, "download-invalid");
        return;
      case "keep-for-rerun":
        book.update(key, { error_class: "disk", error_message: message }, "download-disk-error");
        book.notice(message, key);
        return;
      case "retry":
        this.#timers.add("download", key, book.now() + retries.backoff(retries.nextFailure(key)));
        return;
      case "give-up":
        book.update(
          key,
          {
            error_class: "download",
            error_message: `could not download the clip (${retries.gaveUpAfter(key, retries.nextFailure(key))}; the next run resumes it): ${message}`,
          },
          "download-gave-up",
        );
        book.notice(`could not download ${row.shot_id} take ${row.take} this run: ${message}`, key);
        return;
    }
  }

  /**
   * A dead result URL: read the task again, since the API may hand out a fresh
   * one. The read is work of its own whose answer comes back through the group
   * commit like any other, so this handler (run inside that commit) only starts it.
   */
  #refreshUrl(key: string, taskId: string): void {
    const { book, answers } = this.run;
    this.#refreshedUrl.add(key);
    answers.track(
      this.deps.api.getTask(taskId, { signal: this.run.signal }).then(
        answers.later((task: Task) => {
          const url = resultUrlOf(task);
          if (task.id === taskId && task.status === "completed" && url !== undefined && url !== book.row(key).result_url) {
            book.update(key, { result_url: url, result_expires_at_ms: book.now() + this.config.urlLifetimeMs }, "url-refreshed");
          }
          this.#queue.push(key);
        }),
        answers.later((err: unknown) => {
          if (this.run.signal.aborted) return;
          book.notice(`could not refresh the result URL: ${errorMessage(err)}`, key);
          this.#queue.push(key);
        }),
      ),
    );
  }
}

/** The first result URL of a task; the API sends an array of them. */
export function resultUrlOf(task: Task): string | undefined {
  return task.results?.find((u) => typeof u === "string");
}
