/**
 * The one error downloadFile throws. The runner acts on `kind`:
 *   expired   - the result URL is dead (403/404/410): the clip must be rendered again
 *   transient - 5xx, network, a short or long body: try again (a `.part` kept is resumed)
 *   invalid   - not an http(s) URL, a redirect loop, a page that is not a video
 *   corrupt   - the body was whole by HTTP, but the clip's own structure says it is not
 *               (cut short, no moov box): the part is removed, for it is wrong, not short
 *   disk      - the file could not be written (ENOSPC, EACCES, EROFS, ...): the message names the path
 */
import { ShotlistError } from "../errors.js";

export type DownloadErrorKind = "expired" | "transient" | "invalid" | "corrupt" | "disk";

export class DownloadError extends ShotlistError {
  override readonly name = "DownloadError";
  /** HTTP status of the answer that failed, when there was one. */
  readonly status: number | undefined;
  constructor(
    readonly kind: DownloadErrorKind,
    message: string,
    options?: { status?: number; cause?: unknown },
  ) {
    // A disk error stops the run with its own exit family; the others are handled per shot.
    super(kind === "disk" ? "disk" : "internal", message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }
}

/** Plain words for the errno codes a full, read-only or misplaced output folder gives. */
const DISK_CODES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a parent of the path is not a directory",
  EISDIR: "the path is a directory",
  EEXIST: "a file is in the way of a directory",
  EMFILE: "too many open files",
};

/** Turns a failed file-system step into a disk DownloadError naming `path`. */
export function diskError(err: unknown, path: string): DownloadError {
  const code = (err as { code?: unknown } | null)?.code;
  const why = typeof code === "string" && Object.hasOwn(DISK_CODES, code) ? `${DISK_CODES[code]} (${code})` : (err as Error).message;
  return new DownloadError("disk", `cannot write ${path}: ${why}`, { cause: err });
}
