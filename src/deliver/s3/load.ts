/**
 * The S3 mirror, imported on first use: the AWS SDK costs a run without
 * --deliver about 0.45 s of CPU and 25 MB of RSS at start-up (measured with
 * `node -e "await import(...)"`), and most runs never deliver.
 */
import type { ClipMirror } from "../port.js";
import type { S3MirrorOptions } from "./s3-mirror.js";

export async function loadS3Mirror(options: S3MirrorOptions): Promise<ClipMirror> {
  const { createS3Mirror } = await import("./s3-mirror.js");
  return createS3Mirror(options);
}
