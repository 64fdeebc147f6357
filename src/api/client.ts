/**
 * The EvoLink client: create, read, list and cancel tasks over one keep-alive
 * connection pool. Every failure is an ApiError whose `kind` tells the
 * runner what to do (see classify.ts).
 *
 * An unreadable answer (not JSON, cut off, no `id`, an unknown `status`) is
 * an ApiError with apiCode "invalid_answer": kind "transient" for getTask
 * (just poll again) and "ambiguous" for createTask (the task likely exists;
 * `taskId` says which, when the answer still named it).
 * A completed task without results is returned as it came: the runner decides.
 *
 * The API key is only ever put in the Authorization header; no error, cause
 * or message carries request headers, and answers are scrubbed of it (a
 * server that echoes it back cannot leak it into an error).
 *
 * A call whose signal is already aborted throws the signal's reason without
 * sending anything; one aborted mid-call is a lost answer like any other
 * (ambiguous for a create, transient otherwise).
 */
import { setMaxListeners } from "node:events";
import { Pool, request } from "undici";
import { ApiError } from "./api-error.js";
import { classifyFailure, parseRetryAfter, type Operation } from "./classify.js";
import { parseCredits, parseErrorBody, parseTask, parseTaskBatch, parseTaskPage, type Parsed } from "./parse-answer.js";
import { Slots } from "./slots.js";
import type { CreateRequest, Task, TaskListQuery, TaskPage } from "./types.js";

export const CREATE_PATH = "/v1/videos/generations";
export const taskPath = (id: string): string => `/v1/tasks/${encodeURIComponent(id)}`;
/** Not in the public reference: the project's assumption (../shared/evolink-contract.md). */
export const cancelPath = (id: string): string => `/v1/tasks/${encodeURIComponent(id)}/cancel`;
/** The account's task list and the batch read: seen only in EvoLink's own clients (../shared/evolink-contract.md); 404/405 means not offered. */
export const TASK_LIST_PATH = "/v1/tasks";
export const TASK_BATCH_PATH = "/v1/tasks/batch";
/** The account's balance: named in the contract, its answer's shape not documented. */
export const CREDITS_PATH = "/v1/credits";
/** Ids one batch read may name. */
export const MAX_BATCH_IDS = 50;

/** Task and error answers are a few KB: a body past this is not an answer of this API, and is not held in memory. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * Sockets the client may open to the API, and so requests on the wire at once
 * (no pipelining). Opened only as the work in flight needs them: a batch of 20
 * keeps a few, 5,000 in flight at 100 ms per answer needs ~1,000 requests a
 * second when polls fall due together, which 256 sockets carry with room. The
 * bound keeps one run's descriptors well under a usual 1,024 limit beside its
 * downloads and SQLite, and its load on the API that of a handful of browsers.
 */
export const MAX_API_CONNECTIONS = 256;

/** Idempotency-Key as EvoLink's own clients send it. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._-]{16,96}$/;

export interface ApiClientOptions {
  /** e.g. https://api.evolink.ai; a path prefix is kept. */
  baseUrl: string;
  apiKey: string;
  /**
   * Limit on each call from the moment it has a connection of its own (connect
   * included) to its last body byte; waiting for a free connection is not counted.
   * @default 30000
   */
  timeoutMs?: number;
  /** Most sockets open to the API, opened as calls need them. @default MAX_API_CONNECTIONS */
  connections?: number;
}

export interface ApiClient {
  /** POST /v1/videos/generations. The same idempotencyKey for a resend of the same intent. */
  createTask(req: CreateRequest, opts: { idempotencyKey: string; signal?: AbortSignal }): Promise<Task>;
  getTask(id: string, opts?: { signal?: AbortSignal }): Promise<Task>;
  /** GET /v1/tasks: one page of the account's tasks (all of the key's, not only this run's). */
  listTasks(query: TaskListQuery, opts?: { signal?: AbortSignal }): Promise<TaskPage>;
  /** POST /v1/tasks/batch: the tasks of up to MAX_BATCH_IDS ids; ids the API does not know are left out. */
  getTasks(ids: readonly string[], opts?: { signal?: AbortSignal }): Promise<Task[]>;
  /** Asks the API to stop a task; its final state is read with getTask. */
  cancelTask(id: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** GET /v1/credits: the account's balance, or undefined where the API does not offer it (404/405). */
  getCredits(opts?: { signal?: AbortSignal }): Promise<number | undefined>;
  /** Closes the pool's sockets. */
  close(): Promise<void>;
}

interface Call {
  method: "GET" | "POST";
  path: string;
  operation: Operation;
  body?: string;
  headers?: Record<string, string>;
  signal: AbortSignal | undefined;
}

interface Answer {
  status: number;
  text: string;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const connections = options.connections ?? MAX_API_CONNECTIONS;
  const slots = new Slots(connections);
  const pool = new Pool(base.origin, {
    connections,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: Math.min(timeoutMs, 10_000) },
  });
  const scrub = (text: string): string => (options.apiKey === "" ? text : text.split(options.apiKey).join("[redacted]"));

  async function send(call: Call): Promise<Answer> {
    // Every call waiting for a slot or in flight listens to the run's signal until it ends, hundreds
    // at once in a big batch: not a leak, and Node's warning at 11 would reach the user's terminal.
    if (call.signal !== undefined) setMaxListeners(0, call.signal);
    // Aborted before anything was sent (or while waiting for a connection): the caller's reason,
    // not an ApiError, since there is nothing to classify.
    await slots.acquire(call.signal);
    // One controller and one timer per call, both released when the call ends. (AbortSignal.timeout
    // plus AbortSignal.any kept a timer and weak refs alive for the whole 30 s of every call.)
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")), timeoutMs);
    const forward = (): void => controller.abort(call.signal?.reason);
    call.signal?.addEventListener("abort", forward, { once: true });
    try {
      const res = await request(new URL(prefix + call.path, base.origin), {
        dispatcher: pool,
        method: call.method,
        headers: { authorization: `Bearer ${options.apiKey}`, accept: "application/json", ...call.headers },
        ...(call.body === undefined ? {} : { body: call.body }),
        signal: controller.signal,
      });
      const body = await readLimited(res.body);
      if (body === undefined) {
        // Read as an answer whose body could not be used: a 2xx is an unreadable task, others go by their status.
        const kind = classifyFailure({ operation: call.operation, status: res.statusCode });
        throw new ApiError(
          `EvoLink ${labelOf(call)} answered ${res.statusCode} with a body over ${MAX_ANSWER_BYTES} bytes, not an answer of this API (${kind})`,
          {
            kind,
            status: res.statusCode,
            apiCode: "invalid_answer",
          },
        );
      }
      // Scrubbed once here, so no field of any answer can carry the key into an error.
      const text = scrub(body);
      if (res.statusCode >= 200 && res.statusCode < 300) return { status: res.statusCode, text };
      throw httpError(call, res.statusCode, text, header(res.headers["retry-after"]));
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const kind = classifyFailure({ operation: call.operation, networkError: err });
      // undici's errors hold no request headers, so the cause (with its `code`) is safe to keep.
      const reason = err instanceof Error ? `${err.name}: ${scrub(err.message)}` : "unknown error";
      throw new ApiError(`EvoLink ${labelOf(call)} got no answer (${kind}): ${reason}`, { kind, cause: err });
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener("abort", forward);
      slots.release();
    }
  }

  function httpError(call: Call, status: number, text: string, retryAfter: string | undefined): ApiError {
    const body = parseErrorBody(text);
    const kind = classifyFailure({ operation: call.operation, status, ...(body === undefined ? {} : { body }) });
    const apiMessage = body?.error.message;
    const retryAfterMs = kind === "rate_limited" ? parseRetryAfter(retryAfter, Date.now()) : undefined;
    const what = [body?.error.type, body?.error.code].filter((s) => s !== undefined).join(" ");
    return new ApiError(
      `EvoLink ${labelOf(call)} answered ${status}${what === "" ? "" : ` ${what}`} (${kind})${apiMessage === undefined ? "" : `: ${apiMessage}`}`,
      {
        kind,
        status,
        ...defined({ apiCode: body?.error.code, apiType: body?.error.type, apiMessage, retryAfterMs }),
      },
    );
  }

  async function taskCall(call: Call): Promise<Task> {
    const answer = await send(call);
    const parsed = parseTask(answer.text);
    if (parsed.ok) return parsed.task;
    throw unreadable(call, answer.status, "an unreadable task", parsed.problem, parsed.id);
  }

  /** A read whose 2xx body must parse as `what`; one that does not is an unreadable answer like any other. */
  async function readCall<T>(call: Call, parse: (text: string) => Parsed<T>, what: string): Promise<T> {
    const answer = await send(call);
    const parsed = parse(answer.text);
    if (parsed.ok) return parsed.value;
    throw unreadable(call, answer.status, what, parsed.problem);
  }

  return {
    async createTask(req, opts) {
      if (!IDEMPOTENCY_KEY.test(opts.idempotencyKey)) {
        throw new RangeError(`Expected the Idempotency-Key to be 16-96 characters of [A-Za-z0-9._-], got ${JSON.stringify(opts.idempotencyKey)}`);
      }
      return taskCall({
        method: "POST",
        path: CREATE_PATH,
        operation: "create",
        body: JSON.stringify(req),
        headers: { "content-type": "application/json", "idempotency-key": opts.idempotencyKey },
        signal: opts.signal,
      });
    },
    async getTask(id, opts) {
      return taskCall({ method: "GET", path: taskPath(id), operation: "read", signal: opts?.signal });
    },
    async listTasks(query, opts) {
      const params = new URLSearchParams(defined({ model: query.model, status: query.status, type: query.type }));
      params.set("page", String(query.page));
      params.set("page_size", String(query.pageSize));
      return readCall(
        { method: "GET", path: `${TASK_LIST_PATH}?${params.toString()}`, operation: "read", signal: opts?.signal },
        parseTaskPage,
        "an unreadable task list",
      );
    },
    async getTasks(ids, opts) {
      if (ids.length > MAX_BATCH_IDS) throw new RangeError(`Expected at most ${MAX_BATCH_IDS} task ids in one batch read, got ${ids.length}`);
      if (ids.length === 0) return [];
      const body = JSON.stringify({ task_ids: ids });
      const call: Call = {
        method: "POST",
        path: TASK_BATCH_PATH,
        operation: "read",
        body,
        headers: { "content-type": "application/json" },
        signal: opts?.signal,
      };
      return readCall(call, parseTaskBatch, "an unreadable batch of tasks");
    },
    async cancelTask(id, opts) {
      // A cancel has no task to duplicate: a lost answer is just a retry.
      await send({ method: "POST", path: cancelPath(id), operation: "read", signal: opts?.signal });
    },
    async getCredits(opts) {
      try {
        return await readCall({ method: "GET", path: CREDITS_PATH, operation: "read", signal: opts?.signal }, parseCredits, "an unreadable balance");
      } catch (err) {
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return undefined;
        throw err;
      }
    },
    async close() {
      await pool.close();
    },
  };
}

/** The body as text, or undefined (and the rest of it dropped) once it passes MAX_ANSWER_BYTES. Shared with the files client. */
export async function readLimited(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A 2xx whose body is not what the call reads: "ambiguous" for a create (the task likely exists), "transient" for a read. */
function unreadable(call: Call, status: number, what: string, problem: string, taskId?: string): ApiError {
  const kind = classifyFailure({ operation: call.operation, status });
  return new ApiError(`EvoLink ${labelOf(call)} answered ${status} with ${what} (${kind}): ${problem}`, {
    kind,
    status,
    apiCode: "invalid_answer",
    ...(taskId === undefined ? {} : { taskId }),
  });
}

function labelOf(call: Call): string {
  return `${call.method} ${call.path}`;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Drops undefined values, which exactOptionalPropertyTypes will not accept as "absent". */
function defined<T extends Record<string, unknown>>(record: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
