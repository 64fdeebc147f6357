/** What the user sees during and after a run: progress, the summary, report.json, the status table. */
export { summarize, type RunSummary, type UnknownJob } from "./summary.js";
export { formatSummary, formatDuration } from "./format-summary.js";
export {
  buildReport,
  reportDeliveries,
  writeReport,
  REPORT_VERSION,
  type Report,
  type ReportDelivery,
  type ReportJob,
  type ReportInput,
} from "./report-file.js";
export { createProgressReporter, type ProgressMode, type ProgressReporter, type RunnerEvents } from "./progress.js";
export { formatStatusTable } from "./status-table.js";
export { percentile } from "./percentile.js";
export { costBreakdown, costOf, creditsNotFailed, type CostBreakdown, type CostFigures } from "./cost.js";
