/**
 * Object storage as the second place a clip goes (ClipMirror): each clip the
 * batch folder holds is uploaded under the same relative path, then its
 * sidecar. The object's metadata names the job, its task, its sha256 and its
 * prompt hash, which is how a later run knows an object is this job's: an
 * upload a killed run never recorded is found whole and not sent again, and
 * an earlier version of an edited shot is copied to history/ (as on disk)
 * before the new one takes its key, with a conditional write so that nothing
 * is ever replaced unseen.
 */
import { randomBytes, createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type HeadObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { resolveInside } from "../../download/index.js";
import { historyPathOf } from "../local/layout.js";
import { sidecarPathOf } from "../local/sidecar.js";
import type { ClipMirror, DeliveredObject, LocalClip } from "../port.js";
import { createS3Client, type StoreSettings } from "./client.js";
import { abortOpenUploads, base64Sha256, DEFAULT_MULTIPART, putFile, type MultipartSettings } from "./put-clip.js";
import { describeStoreError, httpStatusOf, probeRefused } from "./store-errors.js";
import { objectKeyFor, objectUrl, parseTarget } from "./target.js";

export interface S3MirrorOptions {
  /** s3://bucket/prefix. */
  target: string;
  settings: StoreSettings;
  /** Where the SDK and the endpoint variables are read from. */
  env: NodeJS.ProcessEnv;
  /** The batch folder (absolute) and the batch's name, the first part of every key under the prefix. */
  root: string;
  batch: string;
  multipart?: Partial<MultipartSettings>;
  /** Tries per request. @default STORE_MAX_ATTEMPTS */
  maxAttempts?: number;
}

/** Object metadata (x-amz-meta-*): what tells this job's object from another version's. */
const META = { key: "shotlist-job-key", task: "shotlist-task-id", sha256: "shotlist-sha256", prompt: "shotlist-prompt-hash" } as const;

export function createS3Mirror(options: S3MirrorOptions): ClipMirror {
  const target = parseTarget(options.target);
  if (typeof target === "string") throw new Error(`deliver target ${target}`);
  const { bucket } = target;
  const client = createS3Client(options.settings, options.env, options.maxAttempts);
  const multipart = { ...DEFAULT_MULTIPART, ...options.multipart };
  const keyOf = (outputPath: string): string => objectKeyFor(target, options.batch, outputPath);

  return {
    target: options.target,
    objectKeyOf: keyOf,

    async probe() {
      const key = objectKeyFor(target, "", `.shotlist-probe-${randomBytes(8).toString("hex")}`);
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "shotlist probe: safe to delete", ContentType: "text/plain" }));
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (err) {
        throw probeRefused(options.target, err, bucket);
      }
    },

    async send(clip: LocalClip, { afterAttempt }, signal): Promise<DeliveredObject> {
      const key = keyOf(clip.outputPath);
      const local = resolveInside(options.root, clip.outputPath);
      if (afterAttempt) await abortOpenUploads(client, bucket, key);
      const there = await head(client, bucket, key);
      const sidecar = (): Promise<unknown> => putSidecar(client, bucket, sidecarPathOf(key), sidecarPathOf(local), signal);
      if (there !== undefined && there.Metadata?.[META.key] === clip.job.key && there.Metadata[META.sha256] === clip.sha256) {
        await sidecar();
        return { objectKey: key, url: objectUrl(target, key), etag: there.ETag ?? null, checksum: there.ChecksumSHA256 ?? null, uploaded: false };
      }
      const moved = there === undefined ? undefined : await keepEarlierVersion(client, bucket, key, there);
      const answer = await putFile(
        client,
        {
          bucket,
          key,
          path: local,
          bytes: clip.bytes,
          sha256: clip.sha256,
          contentType: "video/mp4",
          metadata: { [META.key]: clip.job.key, [META.task]: clip.job.task_id ?? "", [META.sha256]: clip.sha256, [META.prompt]: clip.job.prompt_hash },
          condition: there?.ETag === undefined ? { ifNoneMatch: "*" } : { ifMatch: there.ETag },
        },
        multipart,
        signal,
      ).catch((err: unknown) => {
        if (httpStatusOf(err) === 412)
          throw new Error(`another writer changed ${objectUrl(target, key)} while shotlist wrote it; run again to look anew`, { cause: err });
        throw err;
      });
      await sidecar();
      return { objectKey: key, url: objectUrl(target, key), ...answer, uploaded: true, ...(moved === undefined ? {} : { movedToHistory: moved }) };
    },

    async check(clip: LocalClip): Promise<boolean> {
      const there = await head(client, bucket, keyOf(clip.outputPath));
      return there !== undefined && there.ContentLength === clip.bytes && there.Metadata?.[META.sha256] === clip.sha256;
    },

    close: () => client.destroy(),
  };

  /** Copies the object of another version (and its sidecar) to history/, named by its job key as on disk; returns where the clip went. */
  async function keepEarlierVersion(client: S3Client, bucket: string, key: string, there: HeadObjectCommandOutput): Promise<string> {
    const kept = historyPathOf(key, there.Metadata?.[META.key] ?? `saved-${Date.now()}`);
    const copy = (from: string, to: string): Promise<unknown> =>
      client.send(new CopyObjectCommand({ Bucket: bucket, Key: to, CopySource: `${bucket}/${encodeURIComponent(from).replace(/%2F/g, "/")}` }));
    await copy(key, kept);
    if ((await head(client, bucket, sidecarPathOf(key))) !== undefined) await copy(sidecarPathOf(key), sidecarPathOf(kept));
    return objectUrl(target as { bucket: string; prefix: string }, kept);
  }
}

/** The object's head, with its checksum; undefined when there is none. */
async function head(client: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
  } catch (err) {
    if (httpStatusOf(err) === 404) return undefined;
    throw new Error(describeStoreError(err, bucket), { cause: err });
  }
}

async function putSidecar(client: S3Client, bucket: string, key: string, path: string, signal: AbortSignal): Promise<unknown> {
  const body = await readFile(path);
  const sha256 = createHash("sha256").update(body).digest("hex");
  return client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: "application/json",
      ChecksumAlgorithm: "SHA256",
      ChecksumSHA256: base64Sha256(sha256),
    }),
    {
      abortSignal: signal,
    },
  );
}
