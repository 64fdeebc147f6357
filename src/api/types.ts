/**
 * Shapes of EvoLink's video task API (../shared/evolink-contract.md).
 * Answers are read tolerantly: only `id` and `status` are required, extra
 * fields are ignored, optional ones may vanish between polls.
 */

/** The body of POST /v1/videos/generations. Field names are the API's. */
export interface CreateRequest {
  model: string;
  prompt: string;
  duration: number;
  quality: string;
  aspect_ratio: string;
  generate_audio: boolean;
  image_urls?: string[];
  video_urls?: string[];
  audio_urls?: string[];
  callback_url?: string;
}

export const TASK_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskError {
  code?: string;
  message?: string;
  type?: string;
}

export interface Task {
  id: string;
  status: TaskStatus;
  object?: string;
  created?: number;
  model?: string;
  progress?: number;
  type?: string;
  results?: string[];
  task_info?: { can_cancel?: boolean; estimated_time?: number; video_duration?: number };
  usage?: { billing_rule?: string; credits_reserved?: number; user_group?: string };
  error?: TaskError;
}

/** The error body of a non-2xx HTTP answer. */
export interface ApiErrorBody {
  error: {
    code?: string;
    message?: string;
    type?: string;
    param?: string;
    fallback_suggestion?: string;
  };
}

/**
 * One item of the account's task list (GET /v1/tasks). The list carries no
 * result links; EvoLink's own client reads `created_at` as epoch seconds.
 */
export interface TaskSummary {
  id: string;
  status?: TaskStatus;
  model?: string;
  type?: string;
  /** `created_at`, in epoch milliseconds (the API's seconds, or an ISO time, converted). */
  created_ms: number;
  /** `task_info.video_duration`, where the list gives it. */
  video_duration?: number;
}

/** A query of the task list; pages count from 1. */
export interface TaskListQuery {
  model?: string;
  status?: TaskStatus;
  type?: string;
  page: number;
  pageSize: number;
}

export interface TaskPage {
  tasks: TaskSummary[];
  /** Items with no usable id or creation time: nothing can be said of them, so nothing can be ruled out. */
  unreadable: number;
  /** Tasks matching the query on all pages, when the answer says. */
  total?: number;
}
