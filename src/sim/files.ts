import type { IncomingMessage, ServerResponse } from "node:http";
import { SimApiError } from "./api-error.js";
import { cutsShort } from "./faults.js";
import type { SimContext } from "./http.js";
import type { DownloadRecord } from "./ledger.js";

/**
 * The result-file host: what a `results` URL serves. Like a CDN it needs no
 * API key, checks the link's expiry, honours one Range, and may cut a
 * download short (truncateRate), or serve half the file as if it were all of
 * it (shortBodyRate, or the prompt's `[short]` marker).
 */

export async function download(ctx: SimContext, req: IncomingMessage, res: ServerResponse, noted: DownloadRecord, url: URL): Promise<void> {
  const task = ctx.book.get(noted.taskId);
  if (task === undefined) throw new SimApiError(404, "file_not_found", `no file for ${noted.taskId}`);
  const expires = Number(url.searchParams.get("exp"));
  const state = ctx.book.urlState(task, expires);
  if (state === "unknown") throw new SimApiError(403, "invalid_link", "this link was not issued for this file");
  if (state === "expired") {
    throw new SimApiError(
      403,
      "link_expired",
      `this link expired at ${new Date(expires).toISOString()}`,
      null,
      "query the task again; result links live 24 hours",
    );
  }
  const file = ctx.resultFile(task.id);
  const short = cutsShort(task.request.prompt, ctx.ledger.downloads.filter((d) => d.taskId === task.id).length, ctx.plan);
  if (short) noted.fault = ctx.ledger.fault("download", "short_body", task.id);
  // A short body is the host's copy being half the file: every header agrees with it, a Range too.
  const size = short ? Math.floor(file.size / 2) : file.size;
  const range = parseRange(req.headers.range, size);
  if (range === "unsatisfiable") {
    res.setHeader("content-range", `bytes */${size}`);
    throw new SimApiError(416, "range_not_satisfiable", `range ${req.headers.range} is outside the file's ${size} bytes`);
  }
  const [start, end] = range ?? [0, size - 1];
  noted.status = range === null ? 200 : 206;
  noted.range = range === null ? null : { start, end };
  res.writeHead(noted.status, {
    "content-type": "video/mp4",
    "content-length": String(end - start + 1),
    "accept-ranges": "bytes",
    ...(range === null ? {} : { "content-range": `bytes ${start}-${end}/${size}` }),
  });
  if (req.method === "HEAD") return void res.end();
  const truncate = ctx.plan.chance(ctx.plan.knobs.truncateRate);
  const length = truncate ? Math.floor((end - start + 1) / 2) : end - start + 1;
  noted.bytesSent = await writeAll(res, file.chunks(start, start + length));
  if (!truncate) return void res.end();
  noted.truncated = true;
  noted.fault = ctx.ledger.fault("download", "truncate", task.id);
  // end() on the socket flushes what was written, then closes short of Content-Length.
  req.socket.end();
}

/** Writes with backpressure; stops when the client goes away. Returns the bytes written. */
async function writeAll(res: ServerResponse, chunks: Iterable<Buffer>): Promise<number> {
  let sent = 0;
  for (const chunk of chunks) {
    if (res.destroyed) break;
    sent += chunk.length;
    if (!res.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  return sent;
}

/**
 * One `bytes=` range, inclusive. Multiple or malformed ranges are ignored
 * (the whole file is sent), as RFC 9110 allows.
 */
function parseRange(header: string | undefined, size: number): [number, number] | null | "unsatisfiable" {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    return suffix === 0 ? "unsatisfiable" : [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (last < start && m[2] !== "") return null; // "bytes=9-5" is invalid syntax, not unsatisfiable
  return start >= size ? "unsatisfiable" : [start, Math.min(last, size - 1)];
}
