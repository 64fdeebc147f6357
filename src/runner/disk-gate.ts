/**
 * How many creates may be sent, as far as the disk goes. Two things close the
 * gate: too little room for the clips on their way (decide.ts createsWithRoom),
 * and a state file that refused a commit (the answers wait in the job book,
 * task ids in hand, and the commit is tried again with backoff). Tasks in
 * flight are collected either way. A gate closed for the whole retry window
 * with nothing in flight stops the run's creates (stop reason disk_full).
 */
import type { RunnerEmitter } from "./emitter.js";
import { createsWithRoom } from "./decide.js";
import type { JobBook } from "./job-book.js";
import type { RetryWindows } from "./retry-windows.js";
import { filesystemOf, megabytes, type RoomSettings } from "./room.js";
import type { RunStop } from "./stop-reasons.js";
import { counted } from "../text.js";

const MIB = 1024 * 1024;

export class DiskGate {
  readonly #stateReserve: number;
  /** The largest clip saved in the batch, at least the floor: what a clip on its way is counted as. */
  #clipBytes: number;
  /** Why the gate is closed, as first said; undefined while open. */
  #closedFor: string | undefined;
  #closedSince = 0;
  #commitRetryAt = 0;
  #commitFailures = 0;

  constructor(
    private readonly settings: RoomSettings,
    private readonly book: JobBook,
    private readonly retries: RetryWindows,
    private readonly stop: RunStop,
    private readonly retryWindowMs: number,
    emitter: RunnerEmitter,
  ) {
    this.#stateReserve = settings.stateReserveBytes ?? 16 * MIB;
    this.#clipBytes = settings.clipFloorBytes ?? 16 * MIB;
    emitter.on("job:state", ({ job }) => {
      if (job.bytes !== null && job.bytes > this.#clipBytes) this.#clipBytes = job.bytes;
    });
  }

  /** Whether a commit may be tried now (not while backing off after a refused one). */
  commitDue(now: number): boolean {
    return now >= this.#commitRetryAt;
  }

  /** When the next commit may be tried, while one is owed. */
  nextDue(): number | undefined {
    return this.#commitFailures > 0 ? this.#commitRetryAt : undefined;
  }

  commitFailed(now: number, message: string): void {
    this.#commitFailures++;
    this.#commitRetryAt = now + this.retries.backoff(this.#commitFailures);
    const held = this.book.tasksInHand().length;
    this.#close(now, `the state file refused a write (${message}); new creates paused, ${counted(held, "task id")} held in memory until it takes them`);
  }

  /** After a commit went through; `recorded`, the task ids held in memory that it put on their rows. */
  commitSucceeded(now: number, recorded: number): void {
    if (this.#commitFailures === 0) return;
    this.#commitFailures = 0;
    this.#commitRetryAt = 0;
    this.#open(now, `, ${counted(recorded, "task id")} held in memory recorded late`);
  }

  /** How many creates may go now, with `inFlight` tasks on their way; says so when the gate opens or closes. */
  budget(now: number, inFlight: number): number {
    if (this.#commitFailures > 0) return this.#closed(now, inFlight);
    const room = createsWithRoom(filesystemOf(this.settings.statePath), filesystemOf(this.settings.clipsPath), {
      stateBytes: this.#stateReserve,
      clipBytes: this.#clipBytes,
      clipsInFlight: inFlight,
    });
    if (room.short === undefined) {
      this.#open(now);
      return room.fits;
    }
    this.#close(
      now,
      `disk nearly full: ${megabytes(room.short.freeBytes)} free on ${room.short.path}, ${megabytes(room.short.needBytes)} wanted; new creates paused, ${counted(inFlight, "task")} in flight ${inFlight === 1 ? "is" : "are"} still collected`,
    );
    return this.#closed(now, inFlight);
  }

  #closed(now: number, inFlight: number): 0 {
    // With nothing in flight nothing frees room on its own: after the window, stop waiting.
    if (inFlight === 0 && now - this.#closedSince >= this.retryWindowMs) this.stop.stop("disk_full", this.#closedFor ?? "no room");
    return 0;
  }

  #close(now: number, why: string): void {
    if (this.#closedFor !== undefined) return;
    this.#closedFor = why;
    this.#closedSince = now;
    this.book.notice(why);
  }

  #open(now: number, recorded = ""): void {
    if (this.#closedFor === undefined) return;
    this.#closedFor = undefined;
    this.book.notice(`the disk has room and takes writes again after ${Math.round((now - this.#closedSince) / 1000)} s${recorded}: creates resumed`);
  }
}
