/** What s3rver does not check, against moto_server: checksums, multipart listing and abort, conditional writes. */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { putFile, DEFAULT_MULTIPART } from "../../../src/deliver/s3/put-clip.js";
import { useS3Proxy } from "../../helpers/s3-proxy.js";
import { hasMoto, useMoto } from "../../helpers/s3-servers.js";
import { never, objectBytes, sha256, useBatchFolder, useMirror } from "./mirror-fixtures.js";

const MiB = 1024 * 1024;
/** Parts of 5 MiB (S3's least) for clips above 6 MiB, so a 12 MiB clip goes in three. */
const SMALL_PARTS = { threshold: 6 * MiB, partSize: 5 * MiB, parallelParts: 3 };

describe.skipIf(!hasMoto)(`delivery checks only moto_server makes${hasMoto ? "" : " (skipped: moto_server is not on PATH)"}`, { timeout: 60_000 }, () => {
  // moto keeps the checksum a PUT carries and answers it to a HEAD in checksum mode (it does not verify it; S3, R2 and MinIO do).
  it("gives the object the clip's SHA-256 as its checksum: the hash the batch folder recorded", async () => {
    const [store, folder] = await Promise.all([useMoto(), useBatchFolder()]);
    const clip = await folder.clip("s01", 4000);

    const sent = await useMirror(store, folder).send(clip, { afterAttempt: false }, never);

    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: sent.objectKey, ChecksumMode: "ENABLED" }));
    expect(head.ChecksumSHA256).toBe(Buffer.from(clip.sha256, "hex").toString("base64"));
    expect(sent.checksum).toBe(head.ChecksumSHA256);
    expect((await objectBytes(store, sent.objectKey)).sha256).toBe(clip.sha256);
  });

  it("sends the SHA-256 the batch folder recorded, not one taken of the bytes as read: a clip changed on disk since is caught by a store that verifies", async () => {
    const [store, folder] = await Promise.all([useMoto(), useBatchFolder()]);
    const clip = await folder.clip("s01", 4000);
    await writeFile(join(folder.root, clip.outputPath), Buffer.alloc(4000, 7));

    const sent = await useMirror(store, folder).send(clip, { afterAttempt: false }, never);

    // moto records the header as sent (S3, R2 and MinIO would refuse the PUT with BadDigest).
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: sent.objectKey, ChecksumMode: "ENABLED" }));
    expect(head.ChecksumSHA256).toBe(Buffer.from(clip.sha256, "hex").toString("base64"));
  });

  it("sends a clip above the threshold in parts, each with its SHA-256, and the object is the whole clip", async () => {
    const [store, folder] = await Promise.all([useMoto(), useBatchFolder()]);
    const proxy = await useS3Proxy(store.endpoint);
    const clip = await folder.clip("s01", 12 * MiB);

    const sent = await useMirror(store, folder, { endpoint: proxy.url, multipart: SMALL_PARTS }).send(clip, { afterAttempt: false }, never);

    expect(proxy.requests.filter((r) => r.method === "PUT" && r.query.includes("partNumber=")).map((r) => /partNumber=(\d+)/.exec(r.query)?.[1])).toEqual(
      expect.arrayContaining(["1", "2", "3"]),
    );
    expect(sent.etag).toMatch(/-3"$/);
    expect((await objectBytes(store, sent.objectKey)).sha256).toBe(clip.sha256);
    // The object's checksum is S3's composite: the SHA-256 of the parts' SHA-256s, which only parts sent with theirs can make.
    const bytes = await readFile(join(folder.root, clip.outputPath));
    const parts = [0, 1, 2].map((i) =>
      createHash("sha256")
        .update(bytes.subarray(i * 5 * MiB, (i + 1) * 5 * MiB))
        .digest(),
    );
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: sent.objectKey, ChecksumMode: "ENABLED" }));
    // (S3 spells it with "-3" after; moto without.)
    expect(head.ChecksumSHA256?.replace(/-3$/, "")).toBe(createHash("sha256").update(Buffer.concat(parts)).digest("base64"));
  });

  it("aborts the multipart upload a killed run left open, so its parts never become an object", async () => {
    const [store, folder] = await Promise.all([useMoto(), useBatchFolder()]);
    const clip = await folder.clip("s01", 12 * MiB);
    const key = `out/nightly/${clip.outputPath}`;
    const open = await store.client.send(new CreateMultipartUploadCommand({ Bucket: store.bucket, Key: key }));
    await store.client.send(new UploadPartCommand({ Bucket: store.bucket, Key: key, UploadId: open.UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB) }));

    await useMirror(store, folder, { multipart: SMALL_PARTS }).send(clip, { afterAttempt: true }, never);

    expect((await store.client.send(new ListMultipartUploadsCommand({ Bucket: store.bucket }))).Uploads ?? []).toEqual([]);
    expect((await objectBytes(store, key)).sha256).toBe(clip.sha256);
  });

  it("never replaces an object another writer put at the key meanwhile: the write is conditional", async () => {
    const [store, folder] = await Promise.all([useMoto(), useBatchFolder()]);
    const clip = await folder.clip("s01", 3000);
    const key = `out/nightly/${clip.outputPath}`;
    await store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: "another writer's" }));
    const request = {
      bucket: store.bucket,
      key,
      path: join(folder.root, clip.outputPath),
      bytes: clip.bytes,
      sha256: clip.sha256,
      contentType: "video/mp4",
      metadata: {},
    };
    useMirror(store, folder);
    const { client } = store;

    await expect(putFile(client, { ...request, condition: { ifNoneMatch: "*" } }, DEFAULT_MULTIPART, never)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    await expect(putFile(client, { ...request, condition: { ifMatch: '"not-its-etag"' } }, DEFAULT_MULTIPART, never)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 412 },
    });
    expect((await objectBytes(store, key)).sha256).toBe(sha256(Buffer.from("another writer's")));
  });
});
