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
