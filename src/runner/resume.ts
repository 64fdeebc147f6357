/**
 * Resume: at the start of a run, reads every job's row and hands the job to
 * the stage that goes on from where the last run left it. What to do with
 * each state is decided in decide.ts (decideOnResume); this only carries it out.
 */
import type { ClipDelivery } from "../deliver/index.js";
import { decideOnResume } from "./decide.js";
import type { Downloads } from "./downloads.js";
import type { JobBook } from "./job-book.js";
import type { KeyQueue } from "./loop-tools.js";
import type { Polls } from "./polls.js";
import type { RunnerConfig } from "./runner-config.js";
import { readRecoveryNote, removeRecoveryNote } from "./recovery.js";
import type { Submits } from "./submits.js";

/** The stages' ways in that resume uses. */
export interface ResumeTargets {
  /** Jobs waiting for a fresh create. */
  toCreate: KeyQueue;
  submits: Pick<Submits, "awaitResend">;
  polls: Pick<Polls, "pollNow">;
  downloads: Pick<Downloads, "push">;
  /** Where done jobs' clips are checked, and restored when another version took their place. */
  clips: Pick<ClipDelivery, "check" | "restore">;
}

type ResumeConfig = Pick<RunnerConfig, "batch" | "verify" | "resubmitUnknown" | "retryFailed" | "rerenderExpired" | "recoveryPath">;

/**
 * Hands every job to its stage, and commits what resume changed (before the
 * first create is sent). A recovery note the last run left is read first and
 * removed once the tasks it names are on their rows.
 */
export async function resumeJobs(book: JobBook, config: ResumeConfig, to: ResumeTargets): Promise<void> {
  await book.load(config.batch);
  const recovered = readRecoveryNote(config.recoveryPath, book.batchId);
  // Manifest order, so a batch renders top to bottom.
  for (const job of config.batch.jobs) await resumeJob(book, config, to, job.key, recovered.get(job.key));
  await book.flush();
  if (recovered.size > 0) removeRecoveryNote(config.recoveryPath);
}

async function resumeJob(book: JobBook, config: ResumeConfig, to: ResumeTargets, key: string, recoveredTaskId: string | undefined): Promise<void> {
  const row = book.row(key);
  const action = decideOnResume(row, config, recoveredTaskId);
  switch (action.kind) {
    case "submit":
      if (row.state === "unknown") to.submits.awaitResend(key);
      else to.toCreate.push(key);
      return;
    case "poll":
      to.polls.pollNow(key);
      return;
    case "adopt":
      book.move(
        key,
        "generating",
        { task_id: action.taskId, generation: row.generation + 1, submitted_at_ms: book.now(), error_class: null, error_code: null, error_message: null },
        "adopted",
        { task_id: action.taskId },
      );
      to.polls.pollNow(key);
      return;
    case "download":
      to.downloads.push(key);
      return;
    case "check-file": {
      if (await to.clips.check(row, { verify: config.verify })) return;
      // Another version's clip in its place (a reverted edit): the job's own may be kept in history/.
      const restored = await to.clips.restore(row);
      if (restored !== undefined) {
        const moved = restored.movedToHistory === undefined ? "" : `; the clip in its place is kept at ${restored.movedToHistory}`;
        book.notice(`restored ${row.shot_id} take ${row.take} from ${restored.from}${moved}`, key);
        return;
      }
      book.move(key, "completed", {}, "file-missing-or-changed", { path: row.output_path });
      to.downloads.push(key);
      return;
    }
    case "mark-unknown":
      book.move(
        key,
        "unknown",
        { error_class: "unknown", error_message: "the last run stopped after sending this create and before its answer: the task may exist" },
        "crashed-while-submitting",
      );
      if (config.resubmitUnknown) to.submits.awaitResend(key);
      return;
    case "requeue":
      book.move(key, "queued", { error_class: null, error_code: null, error_message: null }, "retry-requested");
      to.toCreate.push(key);
      return;
    case "leave":
      return;
  }
}
