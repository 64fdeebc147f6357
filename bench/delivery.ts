/**
 * Delivery throughput (issue 16): 200 x 5 MiB clips uploaded to an
 * S3-compatible server (s3rver, in this process) by shotlist's S3 mirror and
 * by a plain SDK script doing the same uploads, each in its own child
 * process, in the same run and against the same server.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import S3rver from "s3rver";
import { clipRelativePath } from "../src/deliver/local/layout.js";
import { MiB, ratioFigure, runMeasured, type Figure, type RowProducer } from "./lib.js";
import type { Scale } from "./scenarios.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "delivery-child.js");

async function deliver({ quick, dir }: Scale): Promise<{ figures: Figure[]; raw: unknown }> {
  const count = quick ? 40 : 200;
  const bytes = 5 * MiB;
  const parallel = 4; // run --deliver-concurrency's default
  const folder = join(dir, "deliver-clips");
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(folder, clipRelativePath({ profile: "", shot_id: `s${i}`, take: 1 }));
    const body = randomBytes(bytes);
    hashes.push(createHash("sha256").update(body).digest("hex"));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    await writeFile(path.replace(/\.mp4$/, ".json"), JSON.stringify({ key: `key-${i}` }));
  }
  await writeFile(join(folder, "hashes.json"), JSON.stringify(hashes));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: join(dir, "s3rver"),
    configureBuckets: [{ name: "bench", configs: [] }],
  });
  const { port } = await server.run();
  const env = {
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    AWS_REGION: "us-east-1",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const wall: Record<string, number> = {};
  try {
    for (const side of ["sdk", "shotlist"]) {
      const resultPath = join(dir, `deliver-${side}.result.json`);
      await runMeasured(CHILD, [side, folder, String(parallel), `http://127.0.0.1:${port}`, String(count)], {
        env: { ...env, SHOTLIST_BENCH_RESULT: resultPath },
        dir,
        label: `deliver-${side}`,
      });
      wall[side] = (JSON.parse(await readFile(resultPath, "utf8")) as { wallMs: number }).wallMs;
    }
  } finally {
    await server.close();
    await rm(folder, { recursive: true, force: true });
    await rm(join(dir, "s3rver"), { recursive: true, force: true });
  }
  const mbps = (side: string): number => (count * bytes) / MiB / ((wall[side] ?? Number.NaN) / 1000);
  const figure = ratioFigure({
    section: `7 delivery (${count} x 5 MiB clips to s3rver on loopback, ${parallel} at a time)`,
    name: "upload throughput",
    value: mbps("shotlist"),
    unit: "MiB/s",
    reference: { value: mbps("sdk"), label: "plain SDK script, PutObject with SHA-256" },
    target: ">= 0.8 x plain SDK",
    pass: mbps("shotlist") >= 0.8 * mbps("sdk"),
    note: "shotlist also HEADs each key first (earlier versions go to history/), writes conditionally, and uploads the sidecar; the deliveries table's two writes per clip are not in this figure",
  });
  return { figures: [figure], raw: { count, bytes, parallel, wallMs: wall } };
}

export const delivery: RowProducer = { name: "delivery", run: deliver };
