/**
 * One object written with a checksum the store verifies: a single PUT
 * carrying the file's SHA-256 (the very hash the batch folder recorded), or,
 * above the threshold, a multipart upload whose parts go in parallel, each
 * with its own SHA-256. A multipart upload becomes an object only when it is
 * completed: a run killed half-way leaves parts, never half an object under
 * the key, and the next attempt aborts them (abortOpenUploads).
 */
import { readFile } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { httpStatusOf } from "./store-errors.js";

export interface MultipartSettings {
  /** Files larger than this go in parts. @default 16 MiB */
  threshold: number;
  /** @default 8 MiB (S3 takes 5 MiB and up) */
  partSize: number;
  /** Parts of one file in flight at once. @default 4 */
  parallelParts: number;
}

export const DEFAULT_MULTIPART: MultipartSettings = { threshold: 16 * 1024 * 1024, partSize: 8 * 1024 * 1024, parallelParts: 4 };

export interface PutRequest {
  bucket: string;
  key: string;
  /** Local file to send. */
  path: string;
  bytes: number;
  sha256: string;
  contentType: string;
  metadata: Record<string, string>;
  /** The write applies only if the key holds no object ("*"), or the object with this ETag. */
  condition: { ifNoneMatch: "*" } | { ifMatch: string };
}

export interface PutAnswer {
  etag: string | null;
  checksum: string | null;
}

export const base64Sha256 = (hex: string): string => Buffer.from(hex, "hex").toString("base64");

export async function putFile(client: S3Client, request: PutRequest, multipart: MultipartSettings, signal: AbortSignal): Promise<PutAnswer> {
  const condition = "ifMatch" in request.condition ? { IfMatch: request.condition.ifMatch } : { IfNoneMatch: request.condition.ifNoneMatch };
  const common = { Bucket: request.bucket, Key: request.key, ContentType: request.contentType, Metadata: request.metadata, ...condition };
  if (request.bytes <= multipart.threshold) {
    // Read whole (the threshold bounds it) so that a retried PUT can send the body again.
    const sent = base64Sha256(request.sha256);
    const answer = await client.send(
      new PutObjectCommand({ ...common, Body: await readFile(request.path), ChecksumAlgorithm: "SHA256", ChecksumSHA256: sent }),
      { abortSignal: signal },
    );
    return { etag: answer.ETag ?? null, checksum: answer.ChecksumSHA256 ?? sent };
  }
  const upload = new Upload({
    client,
    params: { ...common, Body: createReadStream(request.path), ContentLength: request.bytes, ChecksumAlgorithm: "SHA256" },
    partSize: multipart.partSize,
    queueSize: multipart.parallelParts,
  });
  const onAbort = (): void => void upload.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    const answer = await upload.done();
    return { etag: answer.ETag ?? null, checksum: answer.ChecksumSHA256 ?? null };
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Aborts every multipart upload left open under exactly `key` (a killed run's), so its parts are never completed nor billed on. */
export async function abortOpenUploads(client: S3Client, bucket: string, key: string): Promise<number> {
  let aborted = 0;
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (;;) {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...markers })).catch((err: unknown) => {
      // A store that cannot list them (s3rver, some gateways) leaves them to the bucket's lifecycle rule: they are never an object.
      if (httpStatusOf(err) === 501) return { Uploads: [], IsTruncated: false, NextKeyMarker: undefined, NextUploadIdMarker: undefined };
      throw err;
    });
    for (const open of page.Uploads ?? []) {
      if (open.Key !== key || open.UploadId === undefined) continue;
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: open.UploadId }));
      aborted++;
    }
    if (page.IsTruncated !== true) return aborted;
    markers = {
      ...(page.NextKeyMarker === undefined ? {} : { KeyMarker: page.NextKeyMarker }),
      ...(page.NextUploadIdMarker === undefined ? {} : { UploadIdMarker: page.NextUploadIdMarker }),
    };
  }
}
