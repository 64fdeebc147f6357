/** The pieces of one run that every stage works through, built once by the scheduler. */
import type { AnswerQueue } from "./answers.js";
import type { JobBook } from "./job-book.js";
import type { RetryWindows } from "./retry-windows.js";
import type { RunStop } from "./stop-reasons.js";

export interface RunParts {
  book: JobBook;
  answers: AnswerQueue;
  retries: RetryWindows;
  stop: RunStop;
  /** Aborted when the run winds down: an interrupt, or an internal error. Stages start nothing new after it. */
  signal: AbortSignal;
  random: () => number;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
