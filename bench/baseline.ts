/**
 * The reference for the overhead figure: the script a user would write in an
 * hour instead of shotlist. p-limit around each shot; create, poll on a fixed
 * interval, stream the result to a file. No checkpoint, no retries, no
 * durability (no fsync), no resume: a crash means paying again.
 *
 *   EVOLINK_BASE_URL=... EVOLINK_API_KEY=... node baseline.js <manifest> <out-dir> [concurrency] [poll-ms]
 */
import { createWriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { parse } from "yaml";

interface Shot {
  id: string;
  prompt: string;
}
interface Manifest {
  model: string;
  defaults?: Record<string, unknown>;
  shots: Shot[];
}
interface Task {
  id: string;
  status: string;
  results?: string[];
}

const [manifestPath, outDir, concurrencyArg, pollArg] = process.argv.slice(2);
if (manifestPath === undefined || outDir === undefined) throw new Error("usage: baseline.js <manifest> <out-dir> [concurrency] [poll-ms]");
const out: string = outDir;
const base = process.env.EVOLINK_BASE_URL ?? "https://api.evolink.ai";
const headers = { authorization: `Bearer ${process.env.EVOLINK_API_KEY ?? ""}`, "content-type": "application/json" };
const pollMs = Number(pollArg ?? 5000);

async function api(path: string, body?: unknown): Promise<Task> {
  const res = await fetch(base + path, body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Task;
}

async function render(manifest: Manifest, shot: Shot): Promise<void> {
  const request = {
    model: manifest.model,
    duration: 5,
    quality: "720p",
    aspect_ratio: "16:9",
    generate_audio: true,
    ...manifest.defaults,
    prompt: shot.prompt,
  };
  let task = await api("/v1/videos/generations", request);
  while (task.status !== "completed") {
    if (task.status === "failed" || task.status === "cancelled") throw new Error(`${shot.id}: ${task.status}`);
    await sleep(pollMs);
    task = await api(`/v1/tasks/${task.id}`);
  }
  const url = task.results?.[0];
  if (url === undefined) throw new Error(`${shot.id}: no result`);
  const file = await fetch(url);
  if (!file.ok || file.body === null) throw new Error(`${shot.id}: download ${file.status}`);
  await mkdir(join(out, shot.id), { recursive: true });
  await pipeline(Readable.fromWeb(file.body as ReadableStream<Uint8Array>), createWriteStream(join(out, shot.id, "take-01.mp4")));
}

const manifest = parse(await readFile(manifestPath, "utf8")) as Manifest;
const limit = pLimit(Number(concurrencyArg ?? 4));
const results = await Promise.allSettled(manifest.shots.map((shot) => limit(() => render(manifest, shot))));
const failed = results.filter((r) => r.status === "rejected");
for (const f of failed.slice(0, 5)) console.error(String(f.reason));
process.exitCode = failed.length === 0 ? 0 : 1;
