/**
 * The files service (../shared/evolink-contract.md, "File upload"), on the
 * simulator's own port: multipart upload with a size limit, the account's
 * file quota, delete, and each file served back at its `file_url`. Files
 * expire on the simulator's clock (72 hours by default). Every answer is the
 * service's envelope `{success, code, msg, data}`, and some refusals come
 * under HTTP 200 as the real service sends them (a full quota, a file too
 * large, the `filesRefuseRate` fault). A task that names one of these files
 * after it expired or was deleted fails with image_processing_error
 * (deadInput), as the real API fails on an input it cannot fetch.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CreateRequest } from "../api/types.js";
import type { FaultPlan } from "./faults.js";
import type { Ledger, UploadRecord } from "./ledger.js";
import type { SimOptions } from "./options.js";
import type { Timers } from "./timers.js";

export const UPLOAD_PATH = "/api/v1/files/upload/stream";
export const QUOTA_PATH = "/api/v1/files/quota";
const FILE_PATH = /^\/api\/v1\/files\/([^/]+)$/;
const SERVED_PATH = /^\/uploads\/([^/]+)\/[^/]+$/;

export interface SimUpload {
  fileId: string;
  /** API key that uploaded it. */
  key: string;
  name: string;
  mimeType: string;
  bytes: Buffer;
  sha256: string;
  uploaded_ms: number;
  expires_ms: number;
  deleted_ms: number | null;
}

export type FilesRoute = { route: "upload" | "quota" } | { route: "delete"; fileId: string };

/** A refusal answered as the service's envelope, under `httpStatus` (often 200). */
export class FilesRefusal extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function matchFiles(method: string, path: string): FilesRoute | null {
  if (method === "POST" && path === UPLOAD_PATH) return { route: "upload" };
  if (method === "GET" && path === QUOTA_PATH) return { route: "quota" };
  const file = FILE_PATH.exec(path);
  if (method === "DELETE" && file?.[1] !== undefined && file[1] !== "quota") return { route: "delete", fileId: decodeURIComponent(file[1]) };
  return null;
}

type BookOptions = Pick<SimOptions, "fileQuota" | "fileTtlMs" | "maxUploadBytes">;

export class UploadBook {
  readonly #files = new Map<string, SimUpload>();
  #next = 1;

  constructor(
    private readonly options: BookOptions,
    private readonly timers: Timers,
    /** Where the files are served, e.g. http://127.0.0.1:PORT */
    private readonly base: () => string,
  ) {}

  get(fileId: string): SimUpload | undefined {
    return this.#files.get(fileId);
  }

  /** The key's files that count against its quota now: not expired, not deleted. */
  live(key: string, now = this.timers.now()): SimUpload[] {
    return [...this.#files.values()].filter((f) => f.key === key && f.deleted_ms === null && now < f.expires_ms);
  }

  quota(key: string): { user_group: string; used_files: number; max_files: number; remain_files: number } {
    const used = this.live(key).length;
    return { user_group: "default", used_files: used, max_files: this.options.fileQuota, remain_files: Math.max(0, this.options.fileQuota - used) };
  }

  add(key: string, part: { name: string; mimeType: string; bytes: Buffer }): SimUpload {
    if (part.bytes.length > this.options.maxUploadBytes) {
      throw new FilesRefusal(200, 413, `file is ${part.bytes.length} bytes; the limit is ${this.options.maxUploadBytes} bytes`);
    }
    const { used_files, max_files } = this.quota(key);
    if (used_files >= max_files) throw new FilesRefusal(200, 400, `file quota exceeded: ${used_files} of ${max_files} files in use; delete some files first`);
    const now = this.timers.now();
    const file: SimUpload = {
      fileId: `file_${String(this.#next++).padStart(6, "0")}`,
      key,
      ...part,
      sha256: createHash("sha256").update(part.bytes).digest("hex"),
      uploaded_ms: now,
      expires_ms: now + this.options.fileTtlMs,
      deleted_ms: null,
    };
    this.#files.set(file.fileId, file);
    return file;
  }

  remove(key: string, fileId: string): void {
    const file = this.#files.get(fileId);
    if (file === undefined || file.key !== key || file.deleted_ms !== null) throw new FilesRefusal(404, 404, `file ${fileId} not found`);
    file.deleted_ms = this.timers.now();
  }

  urlOf(file: SimUpload): string {
    return `${this.base()}/uploads/${file.fileId}/${encodeURIComponent(file.name)}`;
  }

  /** The upload a URL of this simulator names, if it names one. */
  byUrl(url: string): SimUpload | undefined {
    const base = this.base();
    if (!url.startsWith(`${base}/uploads/`)) return undefined;
    const id = SERVED_PATH.exec(url.slice(base.length).split("?")[0] ?? "")?.[1];
    return id === undefined ? undefined : this.#files.get(id);
  }

  /** The first input of the request that is one of these files, expired or deleted: the task cannot fetch it. */
  deadInput(request: CreateRequest, now = this.timers.now()): string | undefined {
    const inputs = [...(request.image_urls ?? []), ...(request.video_urls ?? []), ...(request.audio_urls ?? [])];
    return inputs.find((url) => {
      const file = this.byUrl(url);
      return file !== undefined && (file.deleted_ms !== null || now >= file.expires_ms);
    });
  }

  /** GET of a file_url, as the API's servers would fetch it: no key; 404 once expired or deleted. */
  serve(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const id = SERVED_PATH.exec(path)?.[1];
    if (id === undefined || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const file = this.#files.get(id);
    if (file === undefined || file.deleted_ms !== null || this.timers.now() >= file.expires_ms) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return true;
    }
    res.writeHead(200, { "content-type": file.mimeType, "content-length": String(file.bytes.length) });
    res.end(req.method === "HEAD" ? undefined : file.bytes);
    return true;
  }

  view(file: SimUpload): Record<string, unknown> {
    return {
      file_id: file.fileId,
      file_name: file.name,
      original_name: file.name,
      file_size: file.bytes.length,
      mime_type: file.mimeType,
      upload_path: "",
      file_url: this.urlOf(file),
      download_url: this.urlOf(file),
      upload_time: new Date(file.uploaded_ms).toISOString(),
      expires_at: new Date(file.expires_ms).toISOString(),
    };
  }
}

export interface FilesContext {
  uploads: UploadBook;
  plan: FaultPlan;
  ledger: Ledger;
  options: Pick<SimOptions, "maxUploadBytes">;
}

/** Handles one files request after the gate (delay, reset, 5xx) and the key check. */
export async function serveFiles(
  ctx: FilesContext,
  target: FilesRoute,
  key: string,
  req: IncomingMessage,
  res: ServerResponse,
  record: UploadRecord,
): Promise<void> {
  if (target.route === "upload" && ctx.plan.chance(ctx.plan.knobs.filesRefuseRate)) {
    ctx.ledger.fault("files", "files_refused");
    // The body is read (and dropped) so the client is not cut off mid-upload.
    await readBody(req, ctx.options.maxUploadBytes);
    throw new FilesRefusal(200, 500, "upload failed, please retry");
  }
  if (target.route === "quota") return envelope(res, record, 200, ctx.uploads.quota(key));
  if (target.route === "delete") {
    ctx.uploads.remove(key, target.fileId);
    record.fileId = target.fileId;
    return envelope(res, record, 200, { file_id: target.fileId, deleted: true });
  }
  const body = await readBody(req, ctx.options.maxUploadBytes);
  if (body === undefined) throw new FilesRefusal(200, 413, `upload is over the limit of ${ctx.options.maxUploadBytes} bytes`);
  const part = filePart(req.headers["content-type"], body);
  if (part === undefined) throw new FilesRefusal(200, 400, "expected a multipart/form-data body with a file field named file");
  const file = ctx.uploads.add(key, part);
  record.fileId = file.fileId;
  record.sha256 = file.sha256;
  envelope(res, record, 200, ctx.uploads.view(file));
}

/** Answers the envelope: `success` true with `data`, or a refusal's code and msg. */
export function envelope(res: ServerResponse, record: UploadRecord | null, status: number, data: unknown, refusal?: { code: number; msg: string }): void {
  const body =
    refusal === undefined ? { success: true, code: 200, msg: "success", data } : { success: false, code: refusal.code, msg: refusal.msg, data: null };
  if (record !== null) {
    record.status = status;
    record.success = body.success;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

/** The whole body, or undefined (the rest read and dropped) once it passes the limit plus room for the form's own lines. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit + 64 * 1024) chunks.push(chunk);
  }
  return size > limit + 64 * 1024 ? undefined : Buffer.concat(chunks);
}

/** The part named `file` of a multipart/form-data body: its file name, type and bytes. */
export function filePart(contentType: string | undefined, body: Buffer): { name: string; mimeType: string; bytes: Buffer } | undefined {
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  const mark = boundary?.[1] ?? boundary?.[2];
  if (mark === undefined) return undefined;
  const delimiter = Buffer.from(`--${mark}`);
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return undefined;
    const headEnd = body.indexOf("\r\n\r\n", start);
    const next = body.indexOf(delimiter, start);
    if (headEnd === -1 || next === -1) return undefined;
    const head = body.subarray(start, headEnd).toString("utf8");
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? "";
    if (/\bname="file"/.test(disposition)) {
      const name = /filename="([^"]*)"/.exec(disposition)?.[1] ?? "upload";
      const mimeType = /content-type:\s*([^\r\n;]+)/i.exec(head)?.[1]?.trim() ?? "application/octet-stream";
      // The part's bytes end with the CRLF before the next delimiter.
      return { name, mimeType, bytes: body.subarray(headEnd + 4, next - 2) };
    }
    at = next;
  }
  return undefined;
}
