export { checkBaseUrl } from "./base-url.js";
export { parseJson } from "./parse-answer.js";
export {
  createApiClient,
  CREATE_PATH,
  taskPath,
  cancelPath,
  TASK_LIST_PATH,
  TASK_BATCH_PATH,
  MAX_BATCH_IDS,
  type ApiClient,
  type ApiClientOptions,
} from "./client.js";
export { ApiError, type ApiErrorKind, type ApiErrorDetails } from "./api-error.js";
export { classifyFailure, parseRetryAfter, type FailureFacts, type Operation } from "./classify.js";
export { classifyTaskFailure, isRetryable } from "./failure-codes.js";
export { backoffDelay } from "./backoff.js";
export type { CreateRequest, Task, TaskError, TaskStatus, ApiErrorBody, TaskSummary, TaskListQuery, TaskPage } from "./types.js";
export {
  createFilesClient,
  DEFAULT_FILES_URL,
  FILES_UPLOAD_PATH,
  FILES_QUOTA_PATH,
  FILE_LIFETIME_MS,
  filePath,
  type FilesClient,
  type FilesClientOptions,
  type FilesQuota,
  type UploadedFile,
} from "./files.js";
