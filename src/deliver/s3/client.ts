/**
 * The S3 client a delivery talks through. Credentials come only from the
 * SDK's default chain (environment, shared config and credentials files,
 * profiles, instance roles): shotlist never reads, stores or prints them,
 * and the SDK's logger is left silent.
 */
import { S3Client } from "@aws-sdk/client-s3";

/** What the manifest's `deliver` says of the store, beside its target. */
export interface StoreSettings {
  /** For a store that is not AWS (R2, MinIO, GCS): its S3 endpoint. @default AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL, else AWS's */
  endpoint?: string;
  /** @default the SDK's (AWS_REGION, the profile's region) */
  region?: string;
  /** Bucket in the path (http://host/bucket/key) rather than the host name: MinIO and most local servers need it. @default false */
  pathStyle?: boolean;
}

/** Tries per request (the first and its retries) on 5xx, throttling and network errors, with the SDK's exponential backoff and jitter. */
export const STORE_MAX_ATTEMPTS = 5;

/** The endpoint to use: the manifest's, else the one AWS tools read from the environment. */
export function endpointOf(settings: StoreSettings, env: NodeJS.ProcessEnv): string | undefined {
  return settings.endpoint ?? (env.AWS_ENDPOINT_URL_S3?.trim() || env.AWS_ENDPOINT_URL?.trim() || undefined);
}

export function createS3Client(settings: StoreSettings, env: NodeJS.ProcessEnv, maxAttempts = STORE_MAX_ATTEMPTS): S3Client {
  // The SDK warns on every run under Node 20 that its releases after early January 2027 need Node 22; shotlist pins
  // a release that supports Node 20 (README, "Delivering to object storage"), so the warning says nothing to its users.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const endpoint = endpointOf(settings, env);
  return new S3Client({
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(settings.region === undefined ? {} : { region: settings.region }),
    forcePathStyle: settings.pathStyle ?? false,
    maxAttempts,
    // Checksums are asked for by each call (SHA-256, which the store verifies); the SDK adds none of its own, which
    // stores that predate its default CRC32 trailers (older MinIO, s3rver) refuse.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
