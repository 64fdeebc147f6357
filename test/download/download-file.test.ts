import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { diskError } from "../../src/download/download-error.js";
import { DownloadError, downloadFile } from "../../src/download/index.js";
import { fakeMp4 } from "../helpers/mp4-bytes.js";
import { useScriptedServer, type RecordedRequest, type ScriptedServer } from "../helpers/scripted-server.js";

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Serves `file` like a CDN: whole with 200, or the asked-for tail with 206. */
function serve(file: Buffer) {
  return (req: RecordedRequest, res: ServerResponse): void => {
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    const from = range?.[1] === undefined ? undefined : Number(range[1]);
    if (from === undefined) {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": file.length }).end(file);
    } else if (from >= file.length) {
      res.writeHead(416, { "content-range": `bytes */${file.length}` }).end();
    } else {
      res.writeHead(206, { "content-range": `bytes ${from}-${file.length - 1}/${file.length}`, "content-length": file.length - from }).end(file.subarray(from));
    }
  };
}

async function failure(promise: Promise<unknown>): Promise<DownloadError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DownloadError);
  return err as DownloadError;
}

let dir: string;
let dest: string;
let server: ScriptedServer;
const FILE = fakeMp4(300_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shotlist-download-"));
  dest = join(dir, "shot-a", "take-01.mp4");
  server = await useScriptedServer();
  return () => rm(dir, { recursive: true, force: true });
});

describe("downloadFile", () => {
  it("saves the file under its final name with its hash, and no .part left", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    const saved = await downloadFile({ url: `${server.url}/clip.mp4?sig=abc`, dest });
    expect(saved).toEqual({ bytes: FILE.length, sha256: sha256(FILE), resumedFrom: 0 });
    expect((await readFile(dest)).equals(FILE)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it("never sends an Authorization header, nor a Range without a part", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[0]?.headers.range).toBeUndefined();
  });

  it("accepts WebM", async () => {
    const webm = readFileSync(new URL("./fixtures/test-pattern.webm", import.meta.url));
    server.route("GET /clip.webm", serve(webm));
    expect((await downloadFile({ url: `${server.url}/clip.webm`, dest })).bytes).toBe(webm.length);
  });

  it("checks the size against expectedBytes too", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest, expectedBytes: FILE.length + 1 }));
    expect(err.kind).toBe("invalid");
    expect(existsSync(dest)).toBe(false);
  });
});

describe("resuming a .part", () => {
  it("asks for the rest with Range and appends the 206", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    await writePart(FILE.subarray(0, 100_000));
    const saved = await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(server.requests[0]?.headers.range).toBe("bytes=100000-");
    expect(saved).toEqual({ bytes: FILE.length, sha256: sha256(FILE), resumedFrom: 100_000 });
    expect((await readFile(dest)).equals(FILE)).toBe(true);
  });

  it("starts over when the host ignores the Range and sends 200", async () => {
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-length": FILE.length }).end(FILE));
    await writePart(Buffer.from("stale bytes of another file"));
    const saved = await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(saved).toEqual({ bytes: FILE.length, sha256: sha256(FILE), resumedFrom: 0 });
    expect((await readFile(dest)).equals(FILE)).toBe(true);
  });

  it("starts over on 416 (the part is longer than the file)", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    await writePart(Buffer.concat([FILE, Buffer.from("extra")]));
    const saved = await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(server.requests.map((r) => r.headers.range)).toEqual([`bytes=${FILE.length + 5}-`, undefined]);
    expect(saved).toEqual({ bytes: FILE.length, sha256: sha256(FILE), resumedFrom: 0 });
  });

  it("starts over when the 206 does not begin where the part ends", async () => {
    let calls = 0;
    server.route("GET /clip.mp4", (req, res) => {
      calls++;
      if (req.headers.range === undefined) return serve(FILE)(req, res);
      res.writeHead(206, { "content-range": `bytes 0-${FILE.length - 1}/${FILE.length}`, "content-length": FILE.length }).end(FILE);
    });
    await writePart(FILE.subarray(0, 5000));
    const saved = await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(calls).toBe(2);
    expect(saved.sha256).toBe(sha256(FILE));
  });

  it("keeps a short body's part and completes it on the next call", async () => {
    let first = true;
    server.route("GET /clip.mp4", (req, res) => {
      if (!first) return serve(FILE)(req, res);
      first = false;
      res.writeHead(200, { "content-length": FILE.length });
      res.write(FILE.subarray(0, 120_000), () => res.socket?.destroy());
    });
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest }));
    expect(err.kind).toBe("transient");
    expect(existsSync(dest)).toBe(false);
    const kept = (await stat(`${dest}.part`)).size;
    expect(kept).toBeGreaterThan(0);

    const saved = await downloadFile({ url: `${server.url}/clip.mp4`, dest });
    expect(server.requests[1]?.headers.range).toBe(`bytes=${kept}-`);
    expect(saved).toEqual({ bytes: FILE.length, sha256: sha256(FILE), resumedFrom: kept });
    expect((await readFile(dest)).equals(FILE)).toBe(true);
  });

  it("calls a body that hangs mid-way transient within the timeout, keeping the part", async () => {
    server.route("GET /clip.mp4", (_req, res) => {
      res.writeHead(200, { "content-length": FILE.length });
      res.write(FILE.subarray(0, 50_000));
    });
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest, timeoutMs: 300 }));
    expect(err.kind).toBe("transient");
    expect((await stat(`${dest}.part`)).size).toBe(50_000);
    expect(existsSync(dest)).toBe(false);
  });

  it("calls a body longer than expected transient and drops the part", async () => {
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(200).end(FILE)); // chunked: no Content-Length
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest, expectedBytes: 1000 }));
    expect(err.kind).toBe("transient");
    expect(err.message).toMatch(/more than the 1000 bytes/);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it("throws the caller's reason on abort and keeps the part", async () => {
    const controller = new AbortController();
    const reason = new Error("interrupted");
    server.route("GET /clip.mp4", (_req, res) => {
      res.writeHead(200, { "content-length": FILE.length });
      res.write(FILE.subarray(0, 50_000), () => setTimeout(() => controller.abort(reason), 50));
    });
    await expect(downloadFile({ url: `${server.url}/clip.mp4`, dest, signal: controller.signal })).rejects.toBe(reason);
    expect(existsSync(`${dest}.part`)).toBe(true);
    expect(existsSync(dest)).toBe(false);
  });
});

describe("a body whole by HTTP but cut short", () => {
  it("refuses a clip whose Content-Length and body are both half of it, removes the part and never calls beforeRename", async () => {
    const half = FILE.subarray(0, FILE.length / 2);
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-length": half.length }).end(half));
    let renamed = false;
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4?sig=abc`, dest, beforeRename: () => Promise.resolve(void (renamed = true)) }));
    expect(err.kind).toBe("corrupt");
    expect(err.message).toBe(
      `the clip from ${server.url}/clip.mp4 is corrupt: it is cut short inside its mdat box: its boxes describe 300,000 bytes, 150,000 arrived`,
    );
    expect(renamed).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });
});

describe("what is not a video", () => {
  it.each([
    ["an HTML page", "<!doctype html><html><body>Access denied. Your link has expired.</body></html>"],
    ["a JSON error", '{"error":{"code":"expired","message":"signature expired"}}'],
    ["a tiny text", "ok"],
  ])("refuses %s served with 200 and removes the part", async (_name, body) => {
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(body));
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest }));
    expect(err.kind).toBe("invalid");
    expect(err.message).toMatch(/did not send a video/);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });
});

describe("statuses and redirects", () => {
  it.each([
    [403, "expired"],
    [404, "expired"],
    [410, "expired"],
    [400, "invalid"],
    [429, "transient"],
    [500, "transient"],
    [503, "transient"],
  ])("%i -> %s", async (status, kind) => {
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(status).end("nope"));
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest }));
    expect(err).toMatchObject({ kind, status });
  });

  it("follows redirects, to another host too, still without Authorization", async () => {
    const other = await useScriptedServer();
    other.route("GET /real.mp4", serve(FILE));
    server.route("GET /a", (_req, res) => res.writeHead(302, { location: "/b" }).end());
    server.route("GET /b", (_req, res) => res.writeHead(307, { location: `${other.url}/real.mp4` }).end());
    const saved = await downloadFile({ url: `${server.url}/a`, dest });
    expect(saved.sha256).toBe(sha256(FILE));
    expect(other.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("refuses a redirect loop", async () => {
    server.route("GET /a", (_req, res) => res.writeHead(302, { location: "/b" }).end());
    server.route("GET /b", (_req, res) => res.writeHead(302, { location: "/a" }).end());
    const err = await failure(downloadFile({ url: `${server.url}/a`, dest }));
    expect(err.kind).toBe("invalid");
    expect(err.message).toMatch(/redirect loop/);
  });

  it("refuses more than maxRedirects", async () => {
    server.route("GET /r/0", (_req, res) => res.writeHead(302, { location: "/r/1" }).end());
    server.route("GET /r/1", (_req, res) => res.writeHead(302, { location: "/r/2" }).end());
    server.route("GET /r/2", serve(FILE));
    expect((await downloadFile({ url: `${server.url}/r/0`, dest, maxRedirects: 2 })).bytes).toBe(FILE.length);
    const err = await failure(downloadFile({ url: `${server.url}/r/0`, dest: `${dest}.2`, maxRedirects: 1 }));
    expect(err.message).toMatch(/more than 1 redirects/);
  });

  it("refuses a redirect to a non-http URL", async () => {
    server.route("GET /a", (_req, res) => res.writeHead(302, { location: "file:///etc/passwd" }).end());
    expect((await failure(downloadFile({ url: `${server.url}/a`, dest }))).kind).toBe("invalid");
  });

  it.each(["file:///etc/passwd", "ftp://example.com/a.mp4", "not a url", "data:video/mp4;base64,AAAA"])("refuses %s without a request", async (url) => {
    expect((await failure(downloadFile({ url, dest }))).kind).toBe("invalid");
  });

  it("calls a refused connection transient", async () => {
    const gone = await useScriptedServer();
    const url = `${gone.url}/clip.mp4`;
    await gone.close();
    expect((await failure(downloadFile({ url, dest }))).kind).toBe("transient");
  });

  it("keeps the URL's query (a signature) out of error messages", async () => {
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(403).end());
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4?X-Signature=topsecret`, dest }));
    expect(err.message).not.toContain("topsecret");
    expect(err.message).toContain("/clip.mp4");
  });
});

describe("disk errors", () => {
  // Tests run as root, where chmod 500 does not stop writes. A parent that is a
  // regular file fails for every user (ENOTDIR), so that is the failure used.
  it("names the path when the destination cannot be written", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    const blocker = join(dir, "not-a-dir");
    await writeFile(blocker, "I am a file");
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest: join(blocker, "take-01.mp4") }));
    expect(err.kind).toBe("disk");
    expect(err.code).toBe("disk");
    expect(err.message).toContain(blocker);
    expect(err.message).toMatch(/\((ENOTDIR|EEXIST)\)$/);
  });

  it("calls an unusable part path a disk error", async () => {
    server.route("GET /clip.mp4", serve(FILE));
    await mkdir(`${dest}.part`, { recursive: true });
    const err = await failure(downloadFile({ url: `${server.url}/clip.mp4`, dest }));
    expect(err.kind).toBe("disk");
    expect(err.message).toContain(`${dest}.part`);
  });
});

describe("diskError", () => {
  // A full disk cannot be made on demand without mounting one; the wording is checked directly.
  it("names the path and the cause of ENOSPC", () => {
    const err = diskError(Object.assign(new Error("write ENOSPC"), { code: "ENOSPC" }), "/out/a.mp4.part");
    expect(err).toMatchObject({ kind: "disk", code: "disk", message: "cannot write /out/a.mp4.part: no space left on the device (ENOSPC)" });
  });

  it("falls back to the error's own message for other codes", () => {
    const err = diskError(Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" }), "/x");
    expect(err.message).toBe("cannot write /x: EIO: i/o error, write");
  });
});

async function writePart(content: Buffer): Promise<void> {
  await mkdir(join(dir, "shot-a"), { recursive: true });
  await writeFile(`${dest}.part`, content);
}
