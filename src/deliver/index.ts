/** Where finished clips go: the delivery port, and the local batch folder that implements it. */
export type { ClipDelivery, ClipMirror, DeliveredObject, LocalClip, RestoredClip, SavedClip } from "./port.js";
export { createLocalFolder, type LocalFolderOptions } from "./local/local-folder.js";
export { batchDir, defaultStatePath, reportPath } from "./local/layout.js";
export { loadS3Mirror } from "./s3/load.js";
export type { S3MirrorOptions } from "./s3/s3-mirror.js";
export { objectUrl, parseTarget, type S3Target } from "./s3/target.js";
export type { StoreSettings } from "./s3/client.js";
