import { Writable } from "node:stream";

/**
 * stdout or stderr as the commands write to them. Whoever reads them may leave
 * at any moment (`| head -2`, a pager closed with q, a `jq` that failed): the
 * next write fails with EPIPE, which Node raises as an 'error' event that,
 * unheard, ends the process mid-run with creates sent and not recorded. Here
 * the stream's first error marks it closed and whatever is written to it
 * afterwards is dropped: the run goes on, checkpoints and exits as it would
 * have, only unseen. Each stream closes on its own; the other keeps writing.
 */
export class ProcessOutput extends Writable {
  #closed = false;

  constructor(private readonly target: NodeJS.WriteStream) {
    // Strings pass as they are, and each write reaches the target at once: a terminal's writes stay synchronous.
    super({ decodeStrings: false });
    target.on("error", () => {
      this.#closed = true;
    });
  }

  /** Whether the reader went away (or the stream failed otherwise): nothing is written any more. */
  get readerGone(): boolean {
    return this.#closed || this.target.destroyed;
  }

  /** As the target says, so the progress display picks its mode and width from the real stream. */
  get isTTY(): boolean {
    return this.target.isTTY === true;
  }

  get columns(): number | undefined {
    return this.target.columns;
  }

  override _write(chunk: string | Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.readerGone) {
      try {
        this.target.write(chunk, encoding);
      } catch {
        // A file on a full disk fails its write synchronously: that output is lost either way, the run is not.
        this.#closed = true;
      }
    }
    done();
  }
}
