import { createHash } from "node:crypto";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { ResultFile } from "../../src/sim/content.js";
import { BASIC, GEN_MS, bytesOf, client, simulators, type TestSim } from "./sim-client.js";

const start = simulators();

async function completedUrl(sim: TestSim, prompt = BASIC.prompt): Promise<{ id: string; url: string }> {
  const api = client(sim);
  const { body } = await api.create({ ...BASIC, prompt });
  sim.clock.advance(GEN_MS);
  const done = (await api.get(body.id)).body;
  return { id: body.id, url: done.results?.[0] ?? "" };
}

/** Top-level mp4 boxes as [type, size, offset]. */
function boxes(bytes: Buffer): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (let at = 0; at < bytes.length;) {
    const size = bytes.readUInt32BE(at);
    const real = size === 1 ? Number(bytes.readBigUInt64BE(at + 8)) : size;
    out.push([bytes.toString("latin1", at + 4, at + 8), real, at]);
    at += real;
  }
  return out;
}

describe("result files", () => {
  it("serves a playable mp4 whose free box names the task, matching expectedSha256", async () => {
    const sim = await start();
    const { id, url } = await completedUrl(sim);
    const res = await fetch(url);
    const bytes = await bytesOf(res);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(Number(res.headers.get("content-length"))).toBe(bytes.length);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sim.expectedSha256(id));
    expect(bytes.equals(sim.expectedBytes(id))).toBe(true);
    const types = boxes(bytes).map(([type]) => type);
    expect(types[0]).toBe("ftyp");
    expect(types).toContain("moov");
    expect(types.at(-1)).toBe("free");
    expect(bytes.toString("latin1")).toContain(`shotlist-sim task ${id}`);
    expect(sim.ledger.downloads).toEqual([expect.objectContaining({ taskId: id, status: 200, ranged: false, bytesSent: bytes.length, truncated: false })]);
  });

  it("gives every task different bytes", async () => {
    const sim = await start();
    const a = await completedUrl(sim);
    const b = await completedUrl(sim);
    expect(sim.expectedSha256(a.id)).not.toBe(sim.expectedSha256(b.id));
  });

  it("answers a single range with 206 and Content-Range", async () => {
    const sim = await start();
    const { id, url } = await completedUrl(sim);
    const whole = sim.expectedBytes(id);
    const res = await fetch(url, { headers: { range: "bytes=100-199" } });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 100-199/${whole.length}`);
    expect((await bytesOf(res)).equals(whole.subarray(100, 200))).toBe(true);
    const tail = await fetch(url, { headers: { range: `bytes=${whole.length - 10}-` } });
    expect((await bytesOf(tail)).equals(whole.subarray(-10))).toBe(true);
    const suffix = await fetch(url, { headers: { range: "bytes=-7" } });
    expect((await bytesOf(suffix)).equals(whole.subarray(-7))).toBe(true);
    expect(sim.ledger.downloads[0]).toMatchObject({ status: 206, ranged: true, range: { start: 100, end: 199 }, bytesSent: 100 });
  });

  it("answers 416 for a range past the end, and ignores multi-ranges", async () => {
    const sim = await start();
    const { id, url } = await completedUrl(sim);
    const size = sim.expectedBytes(id).length;
    const res = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect(res.status).toBe(416);
    expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
    await res.arrayBuffer();
    const multi = await fetch(url, { headers: { range: "bytes=0-1,5-6" } });
    expect(multi.status).toBe(200);
    expect((await bytesOf(multi)).length).toBe(size);
  });

  it("answers HEAD with the headers only", async () => {
    const sim = await start();
    const { id, url } = await completedUrl(sim);
    const res = await fetch(url, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("content-length"))).toBe(sim.expectedBytes(id).length);
  });

  it("refuses an expired URL with 403, and keeps it expired on later polls by default", async () => {
    const sim = await start({ urlTtlMs: 100 });
    const { id, url } = await completedUrl(sim);
    sim.clock.advance(99);
    expect((await fetch(url, { method: "HEAD" })).status).toBe(200);
    sim.clock.advance(1);
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("link_expired");
    expect((await client(sim).get(id)).body.results).toEqual([url]);
  });

  it("issues a fresh URL for an expired one when refreshExpiredUrls is on", async () => {
    const sim = await start({ urlTtlMs: 100, refreshExpiredUrls: true });
    const { id, url } = await completedUrl(sim);
    sim.clock.advance(100);
    const fresh = (await client(sim).get(id)).body.results?.[0] ?? "";
    expect(fresh).not.toBe(url);
    expect((await fetch(fresh)).status).toBe(200);
    expect((await fetch(url)).status).toBe(403);
  });

  it("refuses a URL with an expiry it never issued, and 404s an unknown task", async () => {
    const sim = await start();
    const { url, id } = await completedUrl(sim);
    expect((await fetch(url.replace(/exp=\d+/, "exp=99999999999999"))).status).toBe(403);
    expect((await fetch(`${sim.url}/files/${id.slice(0, -1)}x.mp4?exp=1`)).status).toBe(404);
  });

  it("pads results to resultBytes, streaming them", async () => {
    const size = 5 * 1024 * 1024 + 123;
    const sim = await start({ resultBytes: size });
    const { id, url } = await completedUrl(sim);
    const bytes = await bytesOf(await fetch(url));
    expect(bytes.length).toBe(size);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sim.expectedSha256(id));
    const [type, boxSize, offset] = boxes(bytes).at(-1) ?? [];
    expect([type, boxSize]).toEqual(["free", size - (offset ?? 0)]);
    const mid = await bytesOf(await fetch(url, { headers: { range: "bytes=3000000-3100000" } }));
    expect(mid.equals(bytes.subarray(3_000_000, 3_100_001))).toBe(true);
  });

  it("uses the 64-bit box header past 4 GiB", () => {
    const file = new ResultFile("task-unified-1-abc", 5 * 1024 ** 3);
    expect(file.size).toBe(5 * 1024 ** 3);
    const free = new ResultFile("task-unified-1-abc", null).size - "shotlist-sim task task-unified-1-abc\n".length - 8;
    const head = Buffer.concat([...file.chunks(0, free + 16)]);
    expect(head.toString("latin1", free + 4, free + 8)).toBe("free");
    expect(head.readUInt32BE(free)).toBe(1);
    expect(Number(head.readBigUInt64BE(free + 8))).toBe(file.size - free);
  });

  it("truncates a download when truncateRate hits: fewer bytes than Content-Length, then close", async () => {
    const sim = await start({ truncateRate: 1 });
    const { id, url } = await completedUrl(sim);
    const size = sim.expectedBytes(id).length;
    const got = await new Promise<{ length: number; declared: number; aborted: boolean }>((resolve) => {
      request(url, (res) => {
        let length = 0;
        let aborted = false;
        res.on("data", (c: Buffer) => (length += c.length));
        res.on("aborted", () => (aborted = true));
        res.on("error", () => (aborted = true));
        res.on("close", () => resolve({ length, declared: Number(res.headers["content-length"]), aborted }));
      }).end();
    });
    expect(got).toEqual({ length: Math.floor(size / 2), declared: size, aborted: true });
    await expect(fetch(url).then((r) => r.arrayBuffer())).rejects.toThrow();
    expect(sim.ledger.downloads[0]).toMatchObject({ truncated: true, bytesSent: Math.floor(size / 2), fault: "truncate" });
  });

  it("serves half the file as if it were all of it when shortBodyRate hits: every header agrees, a Range too", async () => {
    const sim = await start({ shortBodyRate: 1 });
    const { id, url } = await completedUrl(sim);
    const half = sim.expectedBytes(id).subarray(0, Math.floor(sim.expectedBytes(id).length / 2));
    const res = await fetch(url);
    expect(Number(res.headers.get("content-length"))).toBe(half.length);
    expect((await bytesOf(res)).equals(half)).toBe(true);
    const tail = await fetch(url, { headers: { range: "bytes=100-" } });
    expect(tail.headers.get("content-range")).toBe(`bytes 100-${half.length - 1}/${half.length}`);
    expect((await bytesOf(tail)).equals(half.subarray(100))).toBe(true);
    expect(sim.ledger.downloads.map((d) => [d.fault, d.truncated])).toEqual([
      ["short_body", false],
      ["short_body", false],
    ]);
  });

  it("cuts the first N downloads of a [short:N] task's result, and every one of a [short] task's", async () => {
    const sim = await start();
    const once = await completedUrl(sim, `${BASIC.prompt} [short:1]`);
    const always = await completedUrl(sim, `${BASIC.prompt} [short]`);
    const twice = async (url: string): Promise<number[]> => [(await bytesOf(await fetch(url))).length, (await bytesOf(await fetch(url))).length];
    const size = (id: string): number => sim.expectedBytes(id).length;
    expect(await twice(once.url)).toEqual([Math.floor(size(once.id) / 2), size(once.id)]);
    expect(await twice(always.url)).toEqual([Math.floor(size(always.id) / 2), Math.floor(size(always.id) / 2)]);
  });
});
