import { request } from "node:http";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { onTestFinished } from "vitest";
import type { Gallery, TakeView } from "../../src/review/gallery.js";
import { startReviewServer, type ReviewServer } from "../../src/review/server.js";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request: the path is sent as written (no URL normalising) and the Host header as given. */
export function send(server: ReviewServer, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A take as the gallery shows it, done with its clip at `clip` unless overridden. */
export function takeView(take: number, overrides: Partial<TakeView> = {}): TakeView {
  return {
    take,
    key: `key-${take}`,
    state: "done",
    progress: 100,
    model: "seedance-1.5-pro",
    duration: 4,
    quality: "480p",
    audio: false,
    credits: 12,
    renderMs: 2500,
    clip: `s1/take-0${take}.mp4`,
    error: null,
    ...overrides,
  };
}

export function galleryOf(prompt = "A lighthouse at dusk", takes: TakeView[] = [takeView(1), takeView(2)]): Gallery {
  return { batch: "e2e", profile: null, shots: [{ id: "s1", prompt, review: { state: "to review", stale: false }, failed: false, takes }] };
}

/** A temp folder holding a batch folder (with `files`) and, beside it, a file the server must never serve. */
export async function batchFolder(files: Record<string, string>): Promise<{ dir: string; root: string }> {
  const dir = await mkdtemp(join(tmpdir(), "shotlist-review-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, "batch");
  for (const [path, text] of Object.entries({ ...files, "../secret.mp4": "not yours" })) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return { dir, root };
}

/** A review server over `root` whose picks are recorded in `picks`; closed when the test ends. */
export async function serve(root: string, gallery: Gallery = galleryOf()): Promise<{ server: ReviewServer; picks: string[] }> {
  const picks: string[] = [];
  const server = await startReviewServer({
    root,
    gallery: () => Promise.resolve(gallery),
    pick: (shot, what) => {
      picks.push(`${shot}=${what}`);
      return Promise.resolve("recorded");
    },
    onError: (err) => {
      throw err;
    },
  });
  onTestFinished(() => server.close());
  return { server, picks };
}
