/**
 * Reads the API's answers tolerantly: extra fields are ignored, optional
 * fields of the wrong type are dropped. Only `id` and a known `status` are
 * required of a task; without them the answer is unusable ("invalid_answer").
 */
import { isPrintable, printable } from "../text.js";
import { TASK_STATUSES, type ApiErrorBody, type Task, type TaskError, type TaskPage, type TaskStatus, type TaskSummary } from "./types.js";

/** On failure, `id` is the task id the answer still carried, if it had a usable one. */
export type ParsedTask = { ok: true; task: Task } | { ok: false; problem: string; id?: string };

type Json = Record<string, unknown>;

export function parseTask(text: string): ParsedTask {
  const value = parseJson(text);
  if (!isObject(value)) return { ok: false, problem: `expected a JSON object, got ${describe(text)}` };
  return readTask(value);
}

function readTask(value: Json): ParsedTask {
  const { id, status } = value;
  if (typeof id !== "string" || id === "") return { ok: false, problem: `expected a task with a string "id", got ${JSON.stringify(id) ?? "none"}` };
  if (!isPrintable(id)) return { ok: false, problem: `expected a task id of printable characters, got ${JSON.stringify(id)}` };
  if (!isTaskStatus(status)) {
    return { ok: false, problem: `expected "status" to be one of ${TASK_STATUSES.join(", ")}, got ${JSON.stringify(status) ?? "none"}`, id };
  }
  const task: Task = { id, status };
  copy(task, "object", str(value.object));
  copy(task, "created", num(value.created));
  copy(task, "model", str(value.model));
  copy(task, "progress", num(value.progress));
  copy(task, "type", str(value.type));
  if (Array.isArray(value.results)) task.results = value.results.filter((r): r is string => typeof r === "string");
  if (isObject(value.task_info)) {
    const info: NonNullable<Task["task_info"]> = {};
    copy(info, "can_cancel", typeof value.task_info.can_cancel === "boolean" ? value.task_info.can_cancel : undefined);
    copy(info, "estimated_time", num(value.task_info.estimated_time));
    copy(info, "video_duration", num(value.task_info.video_duration));
    task.task_info = info;
  }
  if (isObject(value.usage)) {
    const usage: NonNullable<Task["usage"]> = {};
    copy(usage, "billing_rule", str(value.usage.billing_rule));
    copy(usage, "credits_reserved", num(value.usage.credits_reserved));
    copy(usage, "user_group", str(value.usage.user_group));
    task.usage = usage;
  }
  if (isObject(value.error)) task.error = readError(value.error);
  return { ok: true, task };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * A page of the task list, `{data: [...], total, page, page_size}`. An item
 * without an id or a creation time is counted, not dropped silently: a
 * caller that must rule every task out cannot rule that one out.
 */
export function parseTaskPage(text: string): Parsed<TaskPage> {
  const answer = listAnswer(text);
  if (!answer.ok) return answer;
  const page: TaskPage = { tasks: [], unreadable: 0 };
  for (const item of answer.value.data) {
    const summary = isObject(item) ? readSummary(item) : undefined;
    if (summary === undefined) page.unreadable++;
    else page.tasks.push(summary);
  }
  copy(page, "total", num(answer.value.total));
  return { ok: true, value: page };
}

/** The tasks of a batch read, `{data: [task, ...]}`; an item that is not a readable task is left out, as an unknown id is. */
export function parseTaskBatch(text: string): Parsed<Task[]> {
  const answer = listAnswer(text);
  if (!answer.ok) return answer;
  const tasks: Task[] = [];
  for (const item of answer.value.data) {
    const parsed = isObject(item) ? readTask(item) : undefined;
    if (parsed?.ok === true) tasks.push(parsed.task);
  }
  return { ok: true, value: tasks };
}

function readSummary(item: Json): TaskSummary | undefined {
  const id = taskId(item.id);
  const created_ms = epochMs(item.created_at);
  if (id === undefined || created_ms === undefined) return undefined;
  const summary: TaskSummary = { id, created_ms };
  copy(summary, "status", isTaskStatus(item.status) ? item.status : undefined);
  copy(summary, "model", str(item.model));
  copy(summary, "type", str(item.type));
  copy(summary, "video_duration", isObject(item.task_info) ? num(item.task_info.video_duration) : undefined);
  return summary;
}

/** An answer whose `data` is a list (the task list, a batch read). */
function listAnswer(text: string): Parsed<Json & { data: unknown[] }> {
  const value = parseJson(text);
  if (!isObject(value)) return { ok: false, problem: `expected a JSON object, got ${describe(text)}` };
  const { data } = value;
  if (!Array.isArray(data)) return { ok: false, problem: `expected "data" to be a list, got ${JSON.stringify(data)?.slice(0, 60) ?? "none"}` };
  return { ok: true, value: { ...value, data } };
}

/** The `error` object of a non-2xx answer, if the body has one. Anything else is no body. */
export function parseErrorBody(text: string): ApiErrorBody | undefined {
  const value = parseJson(text);
  if (!isObject(value) || !isObject(value.error)) return undefined;
  const error: ApiErrorBody["error"] = readError(value.error);
  copy(error, "param", str(value.error.param));
  copy(error, "fallback_suggestion", str(value.error.fallback_suggestion));
  return { error };
}

function readError(value: Json): TaskError {
  const error: TaskError = {};
  copy(error, "code", str(value.code));
  copy(error, "message", str(value.message));
  copy(error, "type", str(value.type));
  return error;
}

/** The JSON value of a body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Sets a field only when it has a value: exactOptionalPropertyTypes forbids `field: undefined`. */
function copy<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isTaskStatus(v: unknown): v is TaskStatus {
  return typeof v === "string" && (TASK_STATUSES as readonly string[]).includes(v);
}

/** A string field, made printable: an answer's text reaches terminals and logs. */
function str(v: unknown): string | undefined {
  return typeof v === "string" ? printable(v) : undefined;
}

/** A task id: a non-empty string of printable characters (it names files and reaches terminals). */
function taskId(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" && isPrintable(v) ? v : undefined;
}

/**
 * A time as epoch milliseconds: seconds (as EvoLink sends `created` and
 * `created_at`), milliseconds (a number past 1e12), or an ISO 8601 string.
 */
function epochMs(v: unknown): number | undefined {
  const n = typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  if (typeof n === "number") return Number.isFinite(n) && n > 0 ? Math.round(n > 1e12 ? n : n * 1000) : undefined;
  if (typeof n !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(n)) return undefined;
  const at = Date.parse(n);
  return Number.isNaN(at) ? undefined : at;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A short, printable view of a body that was not JSON (an HTML error page, a cut-off answer). */
function describe(text: string): string {
  if (text === "") return "an empty body";
  const head = text.slice(0, 60).replace(/\s+/g, " ");
  return `${JSON.stringify(head)}${text.length > 60 ? "…" : ""} (${text.length} characters)`;
}

/** Names a balance may go by, at the top or under `data`: the contract names the route, not its answer. */
const BALANCE_FIELDS = ["balance", "credits", "remaining_credits", "available_credits"] as const;

/** The balance of GET /v1/credits: the first number under one of BALANCE_FIELDS, at the top or in `data`. */
export function parseCredits(text: string): Parsed<number> {
  const value = parseJson(text);
  if (!isObject(value)) return { ok: false, problem: `expected a JSON object, got ${describe(text)}` };
  for (const place of [value, isObject(value.data) ? value.data : {}]) {
    for (const field of BALANCE_FIELDS) {
      const n = num(place[field]);
      if (n !== undefined) return { ok: true, value: n };
    }
  }
  return { ok: false, problem: `expected a balance (${BALANCE_FIELDS.join(", ")}), got ${describe(text)}` };
}
