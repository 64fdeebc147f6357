/** Where finished clips go: the delivery port, and the local batch folder that implements it. */
export type { ClipDelivery, RestoredClip, SavedClip } from "./port.js";
export { createLocalFolder, type LocalFolderOptions } from "./local/local-folder.js";
export { batchDir, defaultStatePath, reportPath } from "./local/layout.js";
