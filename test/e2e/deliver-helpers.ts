/** What the delivery e2e tests read back from the bucket, and how they start a run that delivers. */
import { createHash } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { TestStore } from "../helpers/s3-servers.js";
import type { S3Proxy } from "../helpers/s3-proxy.js";
import type { Workspace } from "./e2e-helpers.js";

export const TARGET = "s3://clips/nightly";

export const sha256 = (bytes: Buffer | Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Starts `shotlist run --deliver` with the store's credentials, through `via` (a proxy) when given. */
export function runDelivering(
  ws: Workspace,
  store: TestStore,
  args: string[] = [],
  via?: S3Proxy,
  env: Record<string, string> = {},
): ReturnType<Workspace["run"]> {
  return ws.run(["--deliver", TARGET, ...args], {
    ...store.env,
    ...(via === undefined ? {} : { AWS_ENDPOINT_URL_S3: via.url }),
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    ...env,
  });
}

/** Every object in the bucket, key -> its bytes' sha256 and metadata. */
export async function bucketObjects(store: TestStore): Promise<Map<string, { sha256: string; metadata: Record<string, string> }>> {
  const listed = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket }));
  const objects = new Map<string, { sha256: string; metadata: Record<string, string> }>();
  for (const { Key } of listed.Contents ?? []) {
    if (Key === undefined) continue;
    const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key }));
    objects.set(Key, {
      sha256: sha256(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
      metadata: got.Metadata ?? {},
    });
  }
  return objects;
}

/** Requests that wrote a clip or a sidecar (not the probe): what "uploads" counts. */
export function uploads(proxy: S3Proxy): string[] {
  return proxy.requests.filter((r) => (r.method === "PUT" || r.method === "POST") && !r.path.includes(".shotlist-probe-")).map((r) => `${r.method} ${r.path}`);
}
