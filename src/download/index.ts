export { createDownloadAgent, downloadFile, type DownloadOptions, type DownloadResult } from "./download-file.js";
export { DownloadError, diskError, type DownloadErrorKind } from "./download-error.js";
export { nodeDisk, type Disk } from "./disk.js";
export { hashFile } from "./hash-file.js";
export { resolveInside } from "./paths.js";
export { writeFileDurably, writeJsonDurably } from "./write-json.js";
