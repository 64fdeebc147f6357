/** What the user sees during and after a run: progress, the summary, report.json, the status table. */
export { summarize, type RunSummary, type UnknownJob } from "./summary.js";
export { formatSummary, formatDuration } from "./format-summary.js";
export { buildReport, writeReport, type Report, type ReportInput } from "./report-file.js";
export {
  SCHEMA_VERSION,
  deliveriesByKey,
  errorJson,
  jobJson,
  jsonLine,
  problemJson,
  profileJson,
  type DeliveryJson,
  type ErrorJson,
  type JobJson,
  type ProblemJson,
  type StatusJson,
  type ValidateJson,
} from "./json-schema.js";
export { createProgressReporter, type ProgressMode, type ProgressReporter, type RunnerEvents } from "./progress.js";
export { formatStatusTable } from "./status-table.js";
export { percentile } from "./percentile.js";
export { costBreakdown, costOf, creditsNotFailed, type CostBreakdown, type CostFigures } from "./cost.js";
