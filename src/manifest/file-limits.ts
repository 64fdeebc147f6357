/**
 * The size limits a referenced file must meet, as the contract gives them
 * (../shared/evolink-contract.md): 10 MB an image for the create endpoint and
 * Seedance 1.5 Pro, 30 MB an image in Seedance 2.0 reference mode, and 100 MB
 * any upload. The contract gives no limit on an image's width or height, nor
 * a minimum: none is invented here.
 */
import type { MediaKind } from "./media-format.js";
import type { Mode } from "./job.js";
import { modelCaps } from "./models.js";

const MB = 1024 * 1024;

/** The files service's limit on one upload, whatever the model. */
export const MAX_UPLOAD_BYTES = 100 * MB;

/** The most bytes a file of `kind` may hold when `model` renders it in `mode`. */
export function maxFileBytes(kind: MediaKind, model: string | undefined, mode: Mode): number {
  // An unknown model is judged by the API; only the upload limit is certain.
  if (kind !== "image" || model === undefined || modelCaps(model) === undefined) return MAX_UPLOAD_BYTES;
  return mode === "reference" ? 30 * MB : 10 * MB;
}

/** "10 MB", "1.5 MB", "812 KB", "96 bytes". */
export function sizeText(bytes: number): string {
  if (bytes >= MB) return `${Number((bytes / MB).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}
