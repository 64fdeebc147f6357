export { createDownloadAgent, downloadFile, type DownloadOptions, type DownloadResult } from "./download-file.js";
export { DownloadError, type DownloadErrorKind } from "./download-error.js";
export { hashFile } from "./hash-file.js";
export { resolveInside } from "./paths.js";
