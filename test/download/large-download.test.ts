import { createHash } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { downloadFile } from "../../src/download/index.js";
import { MP4_HEAD_BYTES, mp4HeadFor } from "../helpers/mp4-bytes.js";
import { useScriptedServer } from "../helpers/scripted-server.js";

const SIZE = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 7);
/** The first chunk begins with the boxes that make the whole a clip to the structure check. */
const FIRST = Buffer.concat([mp4HeadFor(SIZE), CHUNK.subarray(MP4_HEAD_BYTES)]);

describe("a large download", () => {
  it("streams 256 MiB with flat memory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shotlist-large-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const server = await useScriptedServer();
    server.route("GET /big.mp4", async (_req, res) => {
      res.writeHead(200, { "content-length": SIZE });
      for (let sent = 0; sent < SIZE; sent += CHUNK.length) {
        // Respect backpressure, as a real server does, so the server side stays flat too.
        if (!res.write(sent === 0 ? FIRST : CHUNK)) await new Promise((resolve) => res.once("drain", resolve));
      }
      res.end();
    });
    const expected = createHash("sha256");
    for (let i = 0; i < SIZE / CHUNK.length; i++) expected.update(i === 0 ? FIRST : CHUNK);

    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const saved = await downloadFile({ url: `${server.url}/big.mp4`, dest: join(dir, "big.mp4") });
      expect(saved.bytes).toBe(SIZE);
      expect(saved.sha256).toBe(expected.digest("hex"));
    } finally {
      clearInterval(sampler);
    }
    expect((await stat(join(dir, "big.mp4"))).size).toBe(SIZE);
    // A buffered download would grow by the file's size; streaming stays within a few socket and file buffers.
    expect(peak - before).toBeLessThan(96 * 1024 * 1024);
  });
});
