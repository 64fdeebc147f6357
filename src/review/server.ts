/**
 * The review server: the gallery page, its script, the batch's clips and
 * their posters, and one write (a decision). A local server is still a
 * server: it binds 127.0.0.1 only, answers only requests whose Host is its
 * own address (a rebound DNS name reaches it with another Host), requires its
 * per-server token on every write (a cross-site form cannot know it), and
 * serves only media files inside the batch folder.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { realpath } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pLimit from "p-limit";
import { ShotlistError, coerceError } from "../errors.js";
import { makePoster, posterPath, type FfmpegTools } from "./ffmpeg.js";
import { fileInside, sendFile, type Refusal } from "./files.js";
import { FILTERS, type Gallery } from "./gallery.js";
import { renderPage } from "./page.js";
import { PAGE_SCRIPT } from "./page-script.js";

export interface ReviewServerOptions {
  /** The batch folder: nothing outside it is served. */
  root: string;
  /** 0 (the default): a free port. */
  port?: number;
  /** The gallery as it stands now: read again for every page. */
  gallery(): Promise<Gallery>;
  /** Records one decision (`what`: a take number, approve, reject, clear, note) and says what it recorded. */
  pick(shotId: string, what: string, note: string | undefined): Promise<string>;
  /** ffmpeg, for poster frames; without it each video shows its own first frame. */
  tools?: FfmpegTools;
  /** An unexpected error behind a 500, for the terminal. */
  onError(err: Error): void;
}

export interface ReviewServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";
const MAX_BODY_BYTES = 16 * 1024;
/**
 * Poster frames are made in the background, two at a time and at the lowest
 * priority, for the clips of the batch as the server starts and of each page
 * since, and named in the page once made: a poster request never waits
 * for ffmpeg, so 500 of them cannot hold the browser's six connections while
 * the page's script waits behind them. Live refresh brings them in.
 */
const POSTERS_AT_ONCE = 2;

const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self'; img-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // Not no-referrer: under it Chromium sends "Origin: null" with a form's POST, and the page's own plain forms were refused.
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const token = randomBytes(24).toString("base64url");
  // Real, so that a batch folder reached through a symlink still holds its own files.
  const root = await realpath(options.root);
  const posters = pLimit(POSTERS_AT_ONCE);
  const postersMade = new Set<string>();
  const postersAsked = new Set<string>();
  let closed = false;
  function askPosters(gallery: Gallery): void {
    const tools = options.tools;
    if (tools === undefined || closed) return;
    for (const take of gallery.shots.flatMap((shot) => shot.takes)) {
      const clip = take.clip;
      if (clip === null || postersAsked.has(clip)) continue;
      postersAsked.add(clip);
      posters(async () => {
        const file = await fileInside(root, clip);
        if ("why" in file) return;
        await makePoster(tools, file.path, posterPath(root, clip));
        postersMade.add(clip);
      }).catch((err: unknown) => options.onError(coerceError(err)));
    }
  }
  let origin = "";
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
    handle(req, res).catch((err: unknown) => {
      const error = coerceError(err);
      if (error instanceof ShotlistError && error.code === "usage") return answer(res, 400, error.message);
      options.onError(error);
      if (!res.headersSent) answer(res, 500, "internal error: see the terminal running shotlist review");
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 still sends Host: evil.example.
    if (req.headers.host !== origin.slice("http://".length)) return answer(res, 421, "this server answers only to its own address");
    const url = new URL(req.url ?? "/", origin);
    const path = url.pathname;
    if (req.method === "POST" && path === "/pick") return pickRoute(req, res);
    if (req.method !== "GET" && req.method !== "HEAD") return answer(res, 405, "method not allowed");
    if (path === "/") return pageRoute(url, res);
    if (path === "/app.js") return answer(res, 200, PAGE_SCRIPT, "text/javascript; charset=utf-8");
    if (path.startsWith("/files/")) return fileRoute(decoded(path.slice("/files/".length)), req, res);
    if (path.startsWith("/posters/")) return posterRoute(decoded(path.slice("/posters/".length)), req, res);
    answer(res, 404, "not found");
  }

  async function pageRoute(url: URL, res: ServerResponse): Promise<void> {
    const asked = url.searchParams.get("filter") ?? "all";
    const filter = FILTERS.find((f) => f === asked);
    if (filter === undefined) return answer(res, 400, `unknown filter; expected one of: ${FILTERS.join(", ")}`);
    const gallery = await options.gallery();
    askPosters(gallery);
    const noteFor = url.searchParams.get("note");
    const html = renderPage(gallery, { kind: "server", token, filter, hasPoster: (clip) => postersMade.has(clip), ...(noteFor === null ? {} : { noteFor }) });
    answer(res, 200, html, "text/html; charset=utf-8");
  }

  async function fileRoute(relative: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const file = await fileInside(root, relative);
    if ("why" in file) return refuse(res, file);
    sendFile(res, file, req.headers.range);
  }

  async function posterRoute(clipRelative: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!postersMade.has(clipRelative)) return answer(res, 404, "no poster for this clip (yet)");
    const poster = await fileInside(root, posterPath(root, clipRelative));
    if ("why" in poster) return refuse(res, poster);
    sendFile(res, poster, req.headers.range);
  }

  async function pickRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sentOrigin = req.headers.origin;
    if (sentOrigin !== undefined && sentOrigin !== origin) return answer(res, 403, "a write must come from the review page itself");
    const form = await readForm(req);
    const given = req.headers["x-shotlist-token"] ?? form.token;
    if (typeof given !== "string" || !sameToken(given, token)) return answer(res, 403, "a write needs this server's token: reload the review page");
    if (typeof form.shot !== "string" || typeof form.do !== "string") throw new ShotlistError("usage", "a decision needs a shot and what to do");
    const said = await options.pick(form.shot, form.do, typeof form.note === "string" ? form.note : undefined);
    // A plain form (no script) goes back to the page; the script reads the text.
    if (req.headers["x-shotlist-token"] === undefined) {
      res.writeHead(303, { location: `/#shot-${encodeURIComponent(form.shot)}` }).end();
      return;
    }
    answer(res, 200, said);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolvePromise();
    });
  });
  origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  // Posters are asked for at once, not at the first page: the cached ones are then named in it (no first-frame videos).
  options.gallery().then(askPosters, (err: unknown) => options.onError(coerceError(err)));
  return {
    url: `${origin}/`,
    token,
    close: () =>
      new Promise<void>((resolvePromise) => {
        // Posters not started yet are not wanted any more (the folder may be going away).
        closed = true;
        posters.clearQueue();
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

function answer(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  answer(res, refusal.status, refusal.why);
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new ShotlistError("usage", "bad path encoding");
  }
}

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The fields of a JSON or url-encoded body, at most 16 KiB. */
async function readForm(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ShotlistError("usage", `a decision is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if ((req.headers["content-type"] ?? "").startsWith("application/json")) {
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new ShotlistError("usage", "a decision must be a JSON object");
  }
  return Object.fromEntries(new URLSearchParams(text));
}
