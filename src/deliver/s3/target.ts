/**
 * A delivery target, s3://BUCKET/PREFIX, and the object keys under it: the
 * clips mirror the batch folder's layout (local/layout.ts),
 * PREFIX/<batch>/<path in the batch folder>.
 */
import { sep } from "node:path";

export interface S3Target {
  bucket: string;
  /** Without leading or trailing slashes; "" for the bucket's root. */
  prefix: string;
}

/** S3's bucket naming rules, loosely: what every S3-compatible store accepts. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The target `text` names, or a predicate saying what is wrong with it (the caller adds what came). */
export function parseTarget(text: string): S3Target | string {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(text);
  if (match === null) return "must be s3://BUCKET/PREFIX";
  const bucket = match[1] ?? "";
  if (!BUCKET.test(bucket)) return `names the bucket ${JSON.stringify(bucket)}: a bucket name is 3 to 63 of a-z 0-9 . -`;
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix.split("/").some((part) => part === "." || part === "..")) return `has a prefix with "." or "..": ${JSON.stringify(prefix)}`;
  return { bucket, prefix };
}

/** Where a file of the batch folder goes: PREFIX/<batch>/<relative path>, with / between parts. */
export function objectKeyFor(target: S3Target, batch: string, relativePath: string): string {
  return [target.prefix, batch, relativePath.split(sep).join("/")].filter((part) => part !== "").join("/");
}

export function objectUrl(target: S3Target, key: string): string {
  return `s3://${target.bucket}/${key}`;
}
