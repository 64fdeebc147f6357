/**
 * The first baseline: the script a user writes in an hour on Node's built-in
 * fetch. Create, poll on a fixed interval, stream the result to a file. No
 * checkpoint, no retries, no durability (no fsync), no resume: a crash means
 * paying again. Arguments: baseline-common.ts.
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { renderAll, scriptArgs, type Task } from "./baseline-common.js";

const script = scriptArgs("baseline.js");

async function api(path: string, body?: unknown): Promise<Task> {
  const headers = script.headers;
  const res = await fetch(script.base + path, body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Task;
}

await renderAll(script, async (request, shot) => {
  let task = await api("/v1/videos/generations", request);
  while (task.status !== "completed") {
    if (task.status === "failed" || task.status === "cancelled") throw new Error(`${shot.id}: ${task.status}`);
    await sleep(script.pollMs);
    task = await api(`/v1/tasks/${task.id}`);
  }
  const url = task.results?.[0];
  if (url === undefined) throw new Error(`${shot.id}: no result`);
  const file = await fetch(url);
  if (!file.ok || file.body === null) throw new Error(`${shot.id}: download ${file.status}`);
  await mkdir(join(script.outDir, shot.id), { recursive: true });
  await pipeline(Readable.fromWeb(file.body as ReadableStream<Uint8Array>), createWriteStream(join(script.outDir, shot.id, "take-01.mp4")));
});
