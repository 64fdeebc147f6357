/**
 * Uploads the clips of a folder to an S3 endpoint, `concurrency` at a time,
 * either as shotlist delivers them (its S3 mirror: a HEAD, the clip with its
 * SHA-256 checksum and metadata, a conditional PUT, then the sidecar) or as a
 * plain SDK script would (one PutObject per clip, the SDK computing its
 * SHA-256 checksum), then reports the wall time.
 *
 *   node delivery-child.js <shotlist|sdk> <folder> <concurrency> <endpoint> <n>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pLimit from "p-limit";
import { createS3Mirror } from "../src/deliver/s3/s3-mirror.js";
import { clipRelativePath } from "../src/deliver/local/layout.js";

const [mode, folder, concurrencyArg, endpoint, countArg] = process.argv.slice(2);
if (folder === undefined || concurrencyArg === undefined || endpoint === undefined || countArg === undefined) {
  throw new Error("usage: delivery-child.js <shotlist|sdk> <folder> <concurrency> <endpoint> <n>");
}
const limit = pLimit(Number(concurrencyArg));
const clips = Array.from({ length: Number(countArg) }, (_, i) => clipRelativePath({ profile: "", shot_id: `s${i}`, take: 1 }));
const hashes = JSON.parse(readFileSync(join(folder, "hashes.json"), "utf8")) as string[];
const signal = new AbortController().signal;
let send: (path: string, i: number) => Promise<unknown>;
let close: () => void;
if (mode === "shotlist") {
  const mirror = createS3Mirror({ target: `s3://bench/${mode}`, settings: { endpoint, pathStyle: true }, env: {}, root: folder, batch: "bench" });
  send = (outputPath, i) =>
    mirror.send(
      { job: { key: `key-${i}`, task_id: `task-${i}`, prompt_hash: "p" }, outputPath, bytes: 5 * 1024 * 1024, sha256: hashes[i] ?? "" },
      { afterAttempt: false },
      signal,
    );
  close = () => mirror.close();
} else {
  const client = new S3Client({ endpoint, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" });
  send = (path) =>
    client.send(new PutObjectCommand({ Bucket: "bench", Key: `${mode}/bench/${path}`, Body: readFileSync(join(folder, path)), ChecksumAlgorithm: "SHA256" }));
  close = () => client.destroy();
}
const started = performance.now();
await Promise.all(clips.map((path, i) => limit(() => send(path, i))));
const wallMs = performance.now() - started;
close();
const out = process.env.SHOTLIST_BENCH_RESULT;
if (out !== undefined) writeFileSync(out, JSON.stringify({ wallMs, clips: clips.length }));
