import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { TASK_STATUSES, type TaskStatus } from "../api/types.js";
import { coerceError } from "../errors.js";
import { SimApiError, invalidParam } from "./api-error.js";
import type { ResultFile } from "./content.js";
import { download } from "./files.js";
import { unreadableAnswer, type FaultKind, type FaultPlan } from "./faults.js";
import type { CancelRecord, CreateRecord, DownloadRecord, Ledger, ListRecord, PollRecord, UploadRecord } from "./ledger.js";
import { faultProblems, type SimOptions } from "./options.js";
import type { Realism } from "./realism.js";
import { TASK_ID, type SimTask, type TaskBook } from "./tasks.js";
import type { Timers } from "./timers.js";
import { validateCreate } from "./validate.js";
import { FilesRefusal, envelope, matchFiles, serveFiles, type FilesRoute, type UploadBook } from "./uploads.js";

/**
 * The HTTP surface: EvoLink's three task routes, the task list and batch
 * read (when `taskListing` is on), the result-file host (files.ts), the
 * files service and the files it serves (uploads.ts) and two
 * admin routes for tests (`GET /__sim/ledger`, `POST /__sim/faults`).
 * Every API request passes the same gate first: optional delay, then maybe a
 * reset, then the key, then maybe a random 429 or 5xx.
 */

export interface SimContext {
  options: SimOptions;
  plan: FaultPlan;
  ledger: Ledger;
  book: TaskBook;
  timers: Timers;
  realism: Realism;
  uploads: UploadBook;
  resultFile(taskId: string): ResultFile;
}

const MAX_BODY_BYTES = 1024 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._-]{16,96}$/;
/** Ids one batch read may name, and tasks one page of the list may hold. */
const MAX_BATCH_IDS = 50;
const MAX_PAGE_SIZE = 100;

type Target =
  | { route: "create" | "list" | "batch" }
  | { route: "credits" }
  | { route: "get" | "cancel" | "download"; taskId: string }
  | { route: "ledger" }
  | { route: "faults" };
/** What every ledger record of a request has: the gate fills these in. */
type Noted = { status: number | null; fault: FaultKind | null };
interface Body {
  text: string;
  json: unknown;
  tooLarge: boolean;
}

export function createSimServer(ctx: SimContext): Server {
  return createServer((req, res) => {
    serve(ctx, req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy();
      else reply(res, null, new SimApiError(500, "internal_error", coerceError(err).message));
    });
  });
}

function match(method: string, path: string): Target | null {
  if (method === "POST" && path === "/v1/videos/generations") return { route: "create" };
  if (method === "GET" && path === "/__sim/ledger") return { route: "ledger" };
  if (method === "POST" && path === "/__sim/faults") return { route: "faults" };
  if (method === "GET" && path === "/v1/tasks") return { route: "list" };
  if (method === "POST" && path === "/v1/tasks/batch") return { route: "batch" };
  if (method === "GET" && path === "/v1/credits") return { route: "credits" };
  const task = /^\/v1\/tasks\/([^/]+)(\/cancel)?$/.exec(path);
  if (task?.[1] !== undefined) {
    if (method === "GET" && task[2] === undefined) return { route: "get", taskId: task[1] };
    if (method === "POST" && task[2] !== undefined) return { route: "cancel", taskId: task[1] };
  }
  const file = /^\/files\/([^/]+)\.mp4$/.exec(path);
  if (file?.[1] !== undefined && (method === "GET" || method === "HEAD")) return { route: "download", taskId: file[1] };
  return null;
}

async function serve(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sim");
  if (ctx.uploads.serve(req, res, url.pathname)) return;
  const files = matchFiles(req.method ?? "", url.pathname);
  if (files !== null) return filesRequest(ctx, files, req, res);
  const target = match(req.method ?? "", url.pathname);
  if (target === null) return reply(res, null, new SimApiError(404, "not_found", `no route for ${req.method} ${url.pathname}`));
  if (target.route === "ledger") return reply(res, null, 200, ctx.ledger);
  if (target.route === "faults") return setFaults(ctx, res, await readBody(req));
  if (target.route !== "download") {
    // Drawn per request; no wait at all without latency, so an ideal simulator answers as it always did.
    const latency = ctx.realism.latencyMs();
    if (latency > 0) await ctx.timers.sleep(latency);
  }
  if (target.route === "credits") return balance(ctx, req, res);

  const { record, handle } = await open(ctx, target, req, res, url);
  const { route } = target;
  if (ctx.plan.applies(route) && ctx.plan.knobs.delayMs > 0) {
    record.fault = ctx.ledger.fault(route, "delay", record.taskId ?? null);
    await ctx.timers.sleep(ctx.plan.knobs.delayMs);
  }
  const gate = ctx.plan.gate(route);
  if (gate !== null) record.fault = ctx.ledger.fault(route, gate, record.taskId ?? null);
  if (gate === "reset_before") return void req.socket.destroy();
  const fail = (err: SimApiError): void => reply(res, record, err, undefined, err.status === 429 ? { "retry-after": String(ctx.options.retryAfterS) } : {});
  const key = bearer(req);
  if (route !== "download" && key !== ctx.options.apiKey) {
    const error = key === null ? "missing Authorization: Bearer <API key> header" : "the API key is not valid";
    return fail(new SimApiError(401, key === null ? "missing_api_key" : "invalid_api_key", error, null, "check EVOLINK_API_KEY"));
  }
  if (gate !== null) return fail(gateError(gate, ctx.options.retryAfterS));
  try {
    await handle();
  } catch (err) {
    if (!(err instanceof SimApiError)) throw err;
    fail(err);
  }
}

/** A files service request: the same gate as the API's routes (route "files"), every answer the service's envelope. */
async function filesRequest(ctx: SimContext, target: FilesRoute, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const record: UploadRecord = { at_ms: ctx.timers.now(), route: target.route, fileId: null, sha256: null, status: null, success: null };
  ctx.ledger.uploads.push(record);
  if (ctx.plan.applies("files") && ctx.plan.knobs.delayMs > 0) {
    ctx.ledger.fault("files", "delay");
    await ctx.timers.sleep(ctx.plan.knobs.delayMs);
  }
  const gate = ctx.plan.gate("files");
  if (gate !== null) ctx.ledger.fault("files", gate);
  if (gate === "reset_before") return void req.socket.destroy();
  const refuse = (status: number, code: number, msg: string): void => envelope(res, record, status, null, { code, msg });
  const key = bearer(req);
  if (key !== ctx.options.apiKey) return refuse(401, 401, key === null ? "missing Authorization: Bearer <API key> header" : "the API key is not valid");
  if (gate !== null) {
    const error = gateError(gate, ctx.options.retryAfterS);
    return refuse(error.status, error.status, error.message);
  }
  try {
    await serveFiles(ctx, target, key, req, res, record);
  } catch (err) {
    if (!(err instanceof FilesRefusal)) throw err;
    refuse(err.httpStatus, err.code, err.message);
  }
}

/**
 * Opens the request's ledger record (which the gate and the handler fill in)
 * and binds the route's handler to it. A create's body is read here, so the
 * ledger holds it whatever the answer.
 */
async function open(
  ctx: SimContext,
  target: Exclude<Target, { route: "ledger" | "faults" | "credits" }>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<{ record: Noted & { taskId?: string | null }; handle: () => void | Promise<void> }> {
  const base = { at_ms: ctx.timers.now(), status: null, fault: null };
  switch (target.route) {
    case "create": {
      const body = await readBody(req);
      const header = req.headers["idempotency-key"];
      const record: CreateRecord = {
        ...base,
        taskId: null,
        body: body.json ?? body.text,
        idempotencyKey: typeof header === "string" ? header : null,
        replayed: false,
      };
      ctx.ledger.creates.push(record);
      return { record, handle: () => create(ctx, req, res, record, body) };
    }
    case "get": {
      const record: PollRecord = { ...base, taskId: target.taskId, taskStatus: null };
      ctx.ledger.polls.push(record);
      return { record, handle: () => getTask(ctx, res, record) };
    }
    case "cancel": {
      const record: CancelRecord = { ...base, taskId: target.taskId };
      ctx.ledger.cancels.push(record);
      return { record, handle: () => cancelTask(ctx, res, record) };
    }
    case "list":
    case "batch": {
      const body = target.route === "batch" ? await readBody(req) : undefined;
      const record: ListRecord = {
        ...base,
        route: target.route,
        asked: body === undefined ? url.search.replace(/^\?/, "") : askedIds(body.json),
        status: null,
        returned: 0,
      };
      ctx.ledger.lists.push(record);
      return { record, handle: () => (body === undefined ? listTasks(ctx, res, record, url) : batchRead(ctx, res, record, body)) };
    }
    case "download": {
      const record: DownloadRecord = { ...base, taskId: target.taskId, ranged: req.headers.range !== undefined, range: null, bytesSent: 0, truncated: false };
      ctx.ledger.downloads.push(record);
      return { record, handle: () => download(ctx, req, res, record, url) };
    }
  }
}

function create(ctx: SimContext, req: IncomingMessage, res: ServerResponse, noted: CreateRecord, body: Body): void {
  const key = ctx.options.apiKey;
  if (body.tooLarge) throw new SimApiError(413, "request_too_large", `request body is limited to ${MAX_BODY_BYTES} bytes`);
  if (body.json === undefined) throw new SimApiError(400, "invalid_json", "the request body is not valid JSON");
  const idempotencyKey = ctx.options.honourIdempotencyKey ? noted.idempotencyKey : null;
  if (idempotencyKey !== null) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey))
      throw invalidParam("Idempotency-Key", `Idempotency-Key must be 16 to 96 characters of A-Z a-z 0-9 . _ -, got ${JSON.stringify(idempotencyKey)}`);
    const earlier = ctx.book.replayOf(key, idempotencyKey);
    if (earlier !== undefined) {
      noted.taskId = earlier.id;
      noted.replayed = true;
      return reply(res, noted, 200, ctx.book.view(earlier), { "idempotency-replayed": "true" });
    }
  }
  const request = validateCreate(body.json, ctx.options.allowHttpCallbacks);
  const task = ctx.book.create(key, request, idempotencyKey, ctx.uploads.deadInput(request) === undefined ? undefined : "image_processing_error");
  noted.taskId = task.id;
  if (ctx.plan.chance(ctx.plan.knobs.resetAfterRate)) {
    noted.fault = ctx.ledger.fault("create", "reset_after", task.id);
    return void req.socket.destroy();
  }
  const unreadable = unreadableAnswer(task.request.prompt, task.attempt, ctx.plan);
  if (unreadable !== null) {
    // The task exists and runs; only its answer is lost.
    noted.fault = ctx.ledger.fault("create", "unreadable", task.id);
    noted.status = 200;
    res.writeHead(200, { "content-type": unreadable.contentType, "content-length": String(Buffer.byteLength(unreadable.text)) });
    return void res.end(unreadable.text);
  }
  reply(res, noted, 200, ctx.book.view(task));
}

/** GET /v1/tasks: one page of the key's tasks, newest first, filtered by status, model and type. */
function listTasks(ctx: SimContext, res: ServerResponse, noted: ListRecord, url: URL): void {
  offered(ctx, "GET /v1/tasks");
  const q = url.searchParams;
  const status = q.get("status") ?? undefined;
  if (status !== undefined && !(TASK_STATUSES as readonly string[]).includes(status))
    throw invalidParam("status", `status must be one of ${TASK_STATUSES.join(", ")}, got ${JSON.stringify(status)}`);
  const page = wholeParam(q, "page", 1, Infinity, 1);
  const pageSize = wholeParam(q, "page_size", 1, MAX_PAGE_SIZE, 20);
  const filter: { status?: TaskStatus; model?: string; type?: string } = {};
  if (status !== undefined) filter.status = status as TaskStatus;
  for (const name of ["model", "type"] as const) {
    const value = q.get(name);
    if (value !== null && value !== "") filter[name] = value;
  }
  const matching = ctx.book.list(ctx.options.apiKey, filter);
  const data = matching.slice((page - 1) * pageSize, page * pageSize).map((t) => ctx.book.summary(t));
  noted.returned = data.length;
  reply(res, noted, 200, { data, total: matching.length, page, page_size: pageSize });
}

/** POST /v1/tasks/batch: the tasks of the ids it names that this key made; others are left out. */
function batchRead(ctx: SimContext, res: ServerResponse, noted: ListRecord, body: Body): void {
  offered(ctx, "POST /v1/tasks/batch");
  const ids = (body.json as { task_ids?: unknown } | undefined)?.task_ids;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) throw invalidParam("task_ids", "task_ids must be a list of task id strings");
  if (ids.length > MAX_BATCH_IDS) throw invalidParam("task_ids", `a batch read names at most ${MAX_BATCH_IDS} task ids, got ${ids.length}`);
  const data = ids.flatMap((id) => {
    const task = ctx.book.get(id);
    return task === undefined || task.key !== ctx.options.apiKey ? [] : [ctx.book.view(task)];
  });
  noted.returned = data.length;
  reply(res, noted, 200, { data });
}

/** The task list and the batch read exist only with taskListing; without, they are as absent as any unknown route. */
function offered(ctx: SimContext, route: string): void {
  if (!ctx.options.taskListing) throw new SimApiError(404, "not_found", `no route for ${route}`);
}

function wholeParam(q: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const text = q.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max)
    throw invalidParam(name, `${name} must be a whole number from ${min}${max === Infinity ? " up" : ` to ${max}`}, got ${JSON.stringify(text)}`);
  return n;
}

/** What a batch read asked for, for the ledger. */
function askedIds(json: unknown): string[] {
  const ids = (json as { task_ids?: unknown } | undefined)?.task_ids;
  return Array.isArray(ids) ? ids.map(String) : [];
}

function findTask(ctx: SimContext, taskId: string): SimTask {
  if (!TASK_ID.test(taskId)) throw new SimApiError(400, "invalid_task_id", `"${taskId}" is not a task id (task-unified-<time>-<suffix>)`, "task_id");
  const task = ctx.book.get(taskId);
  if (task === undefined) throw new SimApiError(404, "task_not_found", `task ${taskId} not found`, "task_id");
  return task;
}

function getTask(ctx: SimContext, res: ServerResponse, noted: PollRecord): void {
  const view = ctx.book.view(findTask(ctx, noted.taskId));
  noted.taskStatus = view.status;
  reply(res, noted, 200, view);
}

function cancelTask(ctx: SimContext, res: ServerResponse, noted: CancelRecord): void {
  if (!ctx.options.taskCancel) throw new SimApiError(404, "not_found", "no route for POST /v1/tasks/{id}/cancel");
  const task = findTask(ctx, noted.taskId);
  ctx.book.cancel(task);
  reply(res, noted, 200, ctx.book.view(task));
}

/**
 * GET /v1/credits: what the account has left of `creditQuota` (reservations
 * held and charges taken off). Without a quota there is no balance to tell,
 * and the route is as absent as the contract fears it may be (404).
 */
function balance(ctx: SimContext, req: IncomingMessage, res: ServerResponse): void {
  if (bearer(req) !== ctx.options.apiKey)
    return reply(res, null, new SimApiError(401, "invalid_api_key", "the API key is not valid", null, "check EVOLINK_API_KEY"));
  const quota = ctx.options.creditQuota;
  if (quota === null) return reply(res, null, new SimApiError(404, "not_found", "no route for GET /v1/credits"));
  const { reserved, charged } = ctx.ledger.credits;
  reply(res, null, 200, { object: "credits", data: { balance: quota - reserved - charged } });
}

function gateError(gate: "rate_limit" | "server_error" | "unavailable", retryAfterS: number): SimApiError {
  if (gate === "rate_limit") return new SimApiError(429, "rate_limit_exceeded", "too many requests", null, `retry after ${retryAfterS} seconds`);
  if (gate === "server_error") return new SimApiError(500, "internal_error", "internal server error", null, "retry later");
  return new SimApiError(503, "service_unavailable", "the service is temporarily unavailable", null, "retry later");
}

function setFaults(ctx: SimContext, res: ServerResponse, body: Body): void {
  const changes = body.json;
  if (typeof changes !== "object" || changes === null || Array.isArray(changes)) {
    return reply(res, null, new SimApiError(400, "invalid_json", "expected a JSON object of fault knobs"));
  }
  const problems = faultProblems(changes as Record<string, unknown>);
  if (problems.length > 0) return reply(res, null, new SimApiError(400, "invalid_faults", problems.join("; ")));
  ctx.plan.set(changes);
  reply(res, null, 200, ctx.plan.knobs);
}

function bearer(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return m?.[1] ?? null;
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { text, json, tooLarge: size > MAX_BODY_BYTES };
}

/** Answers JSON (or an error body), and writes the status into the ledger record. */
function reply(res: ServerResponse, noted: Noted | null, answer: number | SimApiError, body?: unknown, headers: Record<string, string> = {}): void {
  const status = typeof answer === "number" ? answer : answer.status;
  const text = JSON.stringify(typeof answer === "number" ? body : answer.body());
  if (noted !== null) noted.status = status;
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
