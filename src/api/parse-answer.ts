/**
 * Reads the API's answers tolerantly: extra fields are ignored, optional
 * fields of the wrong type are dropped. Only `id` and a known `status` are
 * required of a task; without them the answer is unusable ("invalid_answer").
 */
import { isPrintable, printable } from "../text.js";
import { TASK_STATUSES, type ApiErrorBody, type Task, type TaskError, type TaskStatus } from "./types.js";

/** On failure, `id` is the task id the answer still carried, if it had a usable one. */
export type ParsedTask = { ok: true; task: Task } | { ok: false; problem: string; id?: string };

type Json = Record<string, unknown>;

export function parseTask(text: string): ParsedTask {
  const value = parseJson(text);
  if (!isObject(value)) return { ok: false, problem: `expected a JSON object, got ${describe(text)}` };
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

function parseJson(text: string): unknown {
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

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A short, printable view of a body that was not JSON (an HTML error page, a cut-off answer). */
function describe(text: string): string {
  if (text === "") return "an empty body";
  const head = text.slice(0, 60).replace(/\s+/g, " ");
  return `${JSON.stringify(head)}${text.length > 60 ? "…" : ""} (${text.length} characters)`;
}
