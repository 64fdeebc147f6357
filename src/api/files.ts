/**
 * The client of EvoLink's files service (../shared/evolink-contract.md, "File
 * upload"): upload a local file (multipart, streamed from disk), read the
 * account's file quota, delete a file. A separate host from the task API,
 * with the same bearer key.
 *
 * Every answer is an envelope `{success, code, msg, data}`, and the service
 * may say no under HTTP 200 (`success: false`): the body decides, not only
 * the status. A refusal is an ApiError whose kind comes from the envelope's
 * code read as a status (401/403 auth, 5xx transient, ...), with the
 * service's `msg` in its message. The key is only in the Authorization
 * header and scrubbed from every answer, as in the task client.
 */
import { openAsBlob } from "node:fs";
import { FormData, Pool, request } from "undici";
import { ApiError } from "./api-error.js";
import { classifyFailure } from "./classify.js";
import { MAX_ANSWER_BYTES, readLimited } from "./client.js";
import { parseJson } from "./parse-answer.js";

export const DEFAULT_FILES_URL = "https://files-api.evolink.ai";
export const FILES_UPLOAD_PATH = "/api/v1/files/upload/stream";
export const FILES_QUOTA_PATH = "/api/v1/files/quota";
export const filePath = (fileId: string): string => `/api/v1/files/${encodeURIComponent(fileId)}`;

/** Files live 72 hours after upload: assumed when an answer leaves out `expires_at`. */
export const FILE_LIFETIME_MS = 72 * 3_600_000;

export interface UploadedFile {
  fileId: string;
  /** Sent in the create as it came. */
  fileUrl: string;
  expiresAtMs: number;
}

export interface FilesQuota {
  usedFiles: number;
  maxFiles: number;
  remainFiles: number;
}

export interface FilesClient {
  /** POST /api/v1/files/upload/stream, the file streamed from disk as the form field `file`. */
  upload(file: { path: string; name: string; contentType: string }, opts?: { signal?: AbortSignal }): Promise<UploadedFile>;
  quota(opts?: { signal?: AbortSignal }): Promise<FilesQuota>;
  /** DELETE /api/v1/files/{id}. */
  remove(fileId: string, opts?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}

export interface FilesClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Limit on each call; an upload of 100 MB needs its time. @default 120000 */
  timeoutMs?: number;
  /** @default 4 */
  connections?: number;
  now?: () => number;
}

type Envelope = { success: boolean; code: number | undefined; msg: string | undefined; data: unknown };

export function createFilesClient(options: FilesClientOptions): FilesClient {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const now = options.now ?? Date.now;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const pool = new Pool(base.origin, { connections: options.connections ?? 4, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const scrub = (text: string): string => (options.apiKey === "" ? text : text.split(options.apiKey).join("[redacted]"));

  async function call(method: "GET" | "POST" | "DELETE", path: string, signal: AbortSignal | undefined, body?: FormData): Promise<unknown> {
    signal?.throwIfAborted();
    const label = `EvoLink files ${method} ${path}`;
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal === undefined ? [] : [signal])];
    let status: number;
    let text: string | undefined;
    try {
      const res = await request(new URL(prefix + path, base.origin), {
        dispatcher: pool,
        method,
        headers: { authorization: `Bearer ${options.apiKey}`, accept: "application/json" },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.any(signals),
      });
      status = res.statusCode;
      text = await readLimited(res.body);
    } catch (err) {
      const kind = classifyFailure({ operation: "read", networkError: err });
      const reason = err instanceof Error ? `${err.name}: ${scrub(err.message)}` : "unknown error";
      throw new ApiError(`${label} got no answer (${kind}): ${reason}`, { kind, cause: err });
    }
    const envelope = text === undefined ? undefined : parseEnvelope(scrub(text));
    if (envelope === undefined) {
      const kind = classifyFailure({ operation: "read", status });
      const what = text === undefined ? `a body over ${MAX_ANSWER_BYTES} bytes` : "no answer envelope ({success, code, msg, data})";
      throw new ApiError(`${label} answered ${status} with ${what} (${kind})`, { kind, status, apiCode: "invalid_answer" });
    }
    if (envelope.success && status >= 200 && status < 300) return envelope.data;
    // Refused, maybe under HTTP 200: the envelope's code says how (a 200 with success false and no code is a refusal of the request).
    const code = status >= 200 && status < 300 ? (envelope.code ?? 400) : status;
    const kind = classifyFailure({ operation: "read", status: code >= 200 && code < 300 ? 400 : code });
    const said = envelope.msg === undefined ? "" : `: ${envelope.msg}`;
    throw new ApiError(`${label} answered ${status} with success false, code ${envelope.code ?? "none"} (${kind})${said}`, {
      kind,
      status,
      ...(envelope.code === undefined ? {} : { apiCode: String(envelope.code) }),
      ...(envelope.msg === undefined ? {} : { apiMessage: envelope.msg }),
    });
  }

  return {
    async upload(file, opts) {
      const form = new FormData();
      form.append("file", await openAsBlob(file.path, { type: file.contentType }), file.name);
      form.append("file_name", file.name);
      const data = await call("POST", FILES_UPLOAD_PATH, opts?.signal, form);
      const uploaded = uploadedFile(data, now());
      if (uploaded === undefined) {
        throw new ApiError(`EvoLink files POST ${FILES_UPLOAD_PATH} answered success without a file_id and file_url (transient)`, {
          kind: "transient",
          apiCode: "invalid_answer",
        });
      }
      return uploaded;
    },
    async quota(opts) {
      const data = (await call("GET", FILES_QUOTA_PATH, opts?.signal)) as Record<string, unknown> | null;
      const used = Number(data?.used_files);
      const max = Number(data?.max_files);
      const remain = data?.remain_files === undefined ? max - used : Number(data.remain_files);
      if (![used, max, remain].every(Number.isFinite)) {
        throw new ApiError(`EvoLink files GET ${FILES_QUOTA_PATH} answered without used_files and max_files (transient)`, {
          kind: "transient",
          apiCode: "invalid_answer",
        });
      }
      return { usedFiles: used, maxFiles: max, remainFiles: remain };
    },
    async remove(fileId, opts) {
      await call("DELETE", filePath(fileId), opts?.signal);
    },
    async close() {
      await pool.close();
    },
  };
}

function parseEnvelope(text: string): Envelope | undefined {
  const json = parseJson(text);
  if (typeof json !== "object" || json === null || typeof (json as { success?: unknown }).success !== "boolean") return undefined;
  const { success, code, msg, data } = json as Record<string, unknown>;
  return { success: success as boolean, code: typeof code === "number" ? code : undefined, msg: typeof msg === "string" ? msg : undefined, data };
}

/** The upload's answer, with `expires_at` read as ISO text or epoch seconds or milliseconds. */
function uploadedFile(data: unknown, nowMs: number): UploadedFile | undefined {
  const d = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (typeof d.file_id !== "string" || typeof d.file_url !== "string" || d.file_id === "" || d.file_url === "") return undefined;
  return { fileId: d.file_id, fileUrl: d.file_url, expiresAtMs: expiryOf(d.expires_at) ?? nowMs + FILE_LIFETIME_MS };
}

function expiryOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value < 1e12 ? value * 1000 : value;
  if (typeof value === "string" && value !== "") {
    const ms = /^\d+$/.test(value) ? expiryOf(Number(value)) : Date.parse(value);
    return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
