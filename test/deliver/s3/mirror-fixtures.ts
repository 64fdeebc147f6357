/** A batch folder holding clips, and the S3 mirror of it, for the delivery tests against a real server. */
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { onTestFinished, vi } from "vitest";
import { clipRelativePath } from "../../../src/deliver/local/layout.js";
import { createS3Mirror } from "../../../src/deliver/s3/s3-mirror.js";
import type { ClipMirror, LocalClip } from "../../../src/deliver/index.js";
import type { MultipartSettings } from "../../../src/deliver/s3/put-clip.js";
import type { TestStore } from "../../helpers/s3-servers.js";

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

export interface BatchFolder {
  root: string;
  /** Writes a clip of `bytes` random bytes for shot `shot` (and its sidecar), as job `key`. */
  clip(shot: string, bytes: number, key?: string): Promise<LocalClip>;
}

export async function useBatchFolder(): Promise<BatchFolder> {
  const root = await mkdtemp(join(tmpdir(), "shotlist-mirror-"));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  return {
    root,
    async clip(shot, size, key = `key-${shot}`) {
      const outputPath = clipRelativePath({ profile: "", shot_id: shot, take: 1 });
      const body = randomBytes(size);
      await mkdir(dirname(join(root, outputPath)), { recursive: true });
      await writeFile(join(root, outputPath), body);
      await writeFile(join(root, outputPath.replace(/\.mp4$/, ".json")), JSON.stringify({ key, shot }));
      return { job: { key, task_id: `task-${key}`, prompt_hash: "ph" }, outputPath, bytes: size, sha256: sha256(body) };
    },
  };
}

/** The mirror of `folder` into the test store (as batch "nightly" under prefix "out"), credentials from the environment as in a run. */
export function useMirror(store: TestStore, folder: BatchFolder, options: { endpoint?: string; multipart?: Partial<MultipartSettings> } = {}): ClipMirror {
  for (const [name, value] of Object.entries(store.env)) vi.stubEnv(name, value);
  const mirror = createS3Mirror({
    target: `s3://${store.bucket}/out`,
    settings: { endpoint: options.endpoint ?? store.endpoint, pathStyle: true },
    env: {},
    root: folder.root,
    batch: "nightly",
    ...(options.multipart === undefined ? {} : { multipart: options.multipart }),
  });
  onTestFinished(() => {
    mirror.close();
    vi.unstubAllEnvs();
  });
  return mirror;
}

export async function objectBytes(store: TestStore, key: string): Promise<{ sha256: string; metadata: Record<string, string> }> {
  const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  const bytes = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
  return { sha256: sha256(bytes), metadata: got.Metadata ?? {} };
}

export const never = new AbortController().signal;
