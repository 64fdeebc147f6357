/**
 * Downloads result URLs with shotlist's own downloader (downloadFile, as the
 * runner calls it: streamed to <dest>.part, sha256 as it goes, video sniff,
 * fsync, rename), `concurrency` at a time, then reports the wall time and
 * the RSS it had before the first measured byte (the probe reports the peak).
 *
 *   node download-child.js <dir> <concurrency> <url>...
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import pLimit from "p-limit";
import { downloadFile } from "../src/download/index.js";

const [dir, concurrencyArg, ...urls] = process.argv.slice(2);
if (dir === undefined || concurrencyArg === undefined) throw new Error("usage: download-child.js <dir> <concurrency> <url>...");
const limit = pLimit(Number(concurrencyArg));
// A small download first (when given) loads and warms the code the measured ones use,
// so the RSS figure shows what the big file itself costs.
const warmup = process.env.SHOTLIST_BENCH_WARMUP;
if (warmup !== undefined && warmup !== "") await downloadFile({ url: warmup, dest: join(dir, "warmup.mp4") });
const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const saved = await Promise.all(urls.map((url, i) => limit(() => downloadFile({ url, dest: join(dir, `clip-${i}.mp4`) }))));
const wallMs = performance.now() - started;
const out = process.env.SHOTLIST_BENCH_RESULT;
if (out !== undefined) writeFileSync(out, JSON.stringify({ wallMs, rssBeforeBytes, bytes: saved.reduce((n, s) => n + s.bytes, 0) }));
