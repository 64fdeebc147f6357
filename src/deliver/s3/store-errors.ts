/** What a store's refusal means, in a sentence: one place reads the SDK's error names. */
import { ShotlistError } from "../../errors.js";

const CREDENTIALS = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken", "CredentialsProviderError"]);

interface SdkError {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The SDK error's name and HTTP status, for messages: `NoSuchBucket, HTTP 404`. */
function codeOf(err: SdkError): string {
  const status = err.$metadata?.httpStatusCode;
  return [typeof err.name === "string" ? err.name : "Error", status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(", ");
}

export function httpStatusOf(err: unknown): number | undefined {
  return (err as SdkError | null)?.$metadata?.httpStatusCode;
}

/** Why the store refused or failed, in words. Never holds a credential: the SDK's messages name none. */
export function describeStoreError(err: unknown, bucket: string): string {
  const e = (err ?? {}) as SdkError;
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" && e.message !== "" && e.message !== "UnknownError" ? `: ${e.message}` : "";
  if (name === "NoSuchBucket") return `the bucket ${bucket} does not exist (${codeOf(e)})`;
  if (CREDENTIALS.has(name)) return `the store refused the credentials (${codeOf(e)})${message}`;
  if (name === "AccessDenied" || e.$metadata?.httpStatusCode === 403) return `the store refused access to ${bucket} or its prefix (${codeOf(e)})${message}`;
  if (e.$metadata?.httpStatusCode === undefined) return `could not reach the store (${codeOf(e)})${message}`;
  return `the store answered ${codeOf(e)}${message}`;
}

/** The error a failed probe ends the run with (exit 3): nothing was created yet. */
export function probeRefused(target: string, err: unknown, bucket: string): ShotlistError {
  return new ShotlistError(
    "storage",
    `cannot deliver to ${target}: ${describeStoreError(err, bucket)}. Nothing was sent to the API. Check the bucket, the deliver settings and the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws/credentials).`,
    { cause: err },
  );
}
