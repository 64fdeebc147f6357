/**
 * The strongest simple baseline, the one ratios are taken against: undici's
 * `request` over a Pool of up to 256 connections (opened as needed), p-limit, a poll loop on a fixed interval, the result streamed to
 * disk. No checkpoint, no retries, no fsync, no resume. Arguments:
 * baseline-common.ts.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool, request } from "undici";
import { renderAll, scriptArgs, type Task } from "./baseline-common.js";

const script = scriptArgs("baseline-undici.js");
const origin = new URL(script.base).origin;
// At most 256 sockets, as shotlist's own bound: 5,000 connects at once overflow a listen backlog (connect timeouts).
const api = new Pool(origin, { connections: Math.min(script.concurrency, 256) });
const files = new Map<string, Pool>();

async function call(path: string, body?: unknown): Promise<Task> {
  const res = await request(script.base + path, {
    dispatcher: api,
    headers: script.headers,
    ...(body === undefined ? {} : { method: "POST" as const, body: JSON.stringify(body) }),
  });
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as Task;
}

await renderAll(script, async (body, shot) => {
  let task = await call("/v1/videos/generations", body);
  while (task.status !== "completed") {
    if (task.status === "failed" || task.status === "cancelled") throw new Error(`${shot.id}: ${task.status}`);
    await sleep(script.pollMs);
    task = await call(`/v1/tasks/${task.id}`);
  }
  const url = task.results?.[0];
  if (url === undefined) throw new Error(`${shot.id}: no result`);
  const host = new URL(url).origin;
  const pool = files.get(host) ?? new Pool(host, { connections: Math.min(script.concurrency, 256) });
  files.set(host, pool);
  const file = await request(url, { dispatcher: pool });
  if (file.statusCode !== 200) throw new Error(`${shot.id}: download ${file.statusCode}`);
  await mkdir(join(script.outDir, shot.id), { recursive: true });
  await pipeline(file.body, createWriteStream(join(script.outDir, shot.id, "take-01.mp4")));
});
await Promise.all([api.close(), ...[...files.values()].map((p) => p.close())]);
