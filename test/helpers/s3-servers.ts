/**
 * Real S3-compatible servers on loopback for the delivery tests: s3rver in
 * this process (every suite), and moto_server as a child (what s3rver does
 * not check: checksums, multipart listing and abort, conditional writes).
 * Each is gone when the test ends, with the folder it kept objects in.
 *
 *   const store = await useS3rver();            // bucket "clips"
 *   const moto = await useMoto();               // undefined when moto_server is not on PATH
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { onTestFinished } from "vitest";

export interface TestStore {
  endpoint: string;
  bucket: string;
  /** What a shotlist run (or the SDK in this process) needs in its environment to reach the store. */
  env: Record<string, string>;
  /** A plain client of the store, for the test's own looks at it. */
  client: S3Client;
}

export const TEST_BUCKET = "clips";

function clientOf(endpoint: string, env: Record<string, string>): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "" },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

function storeEnv(endpoint: string, accessKeyId: string, secret: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** s3rver in this process, with the bucket made; its keys are S3RVER/S3RVER. */
export async function useS3rver(): Promise<TestStore> {
  const directory = await mkdtemp(join(tmpdir(), "shotlist-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: TEST_BUCKET, configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = storeEnv(endpoint, "S3RVER", "S3RVER");
  const client = clientOf(endpoint, env);
  onTestFinished(async () => {
    client.destroy();
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { endpoint, bucket: TEST_BUCKET, env, client };
}

export const hasMoto = spawnSync("sh", ["-c", "command -v moto_server"]).status === 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** moto_server on a free loopback port, killed when the test ends, with the bucket made. */
export async function useMoto(): Promise<TestStore> {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  onTestFinished(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  // Werkzeug says where it listens once it does.
  await new Promise<void>((resolve, reject) => {
    let said = "";
    child.stderr.on("data", (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes("Running on")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`moto_server exited (${code}) before listening: ${said}`)));
  });
  child.stderr.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = storeEnv(endpoint, "motokey", "motosecret");
  const client = clientOf(endpoint, env);
  onTestFinished(() => client.destroy());
  await client.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  return { endpoint, bucket: TEST_BUCKET, env, client };
}
