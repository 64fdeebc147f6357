/**
 * The callback receiver: a small HTTP server the API posts task callbacks
 * to (through a tunnel or a reverse proxy in front of it). EvoLink signs
 * nothing, so a callback is only a hint: the receiver checks its shape,
 * answers 204 before any work, and hands the task id and claimed status to
 * whoever subscribed (callback-hints.ts), which reads the task itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parseJson } from "../api/index.js";
import { ShotlistError } from "../errors.js";

/** Callbacks carry one task object: anything larger is not one, and is refused unread. */
export const MAX_CALLBACK_BYTES = 64 * 1024;
/** The API gives up on an attempt after 10 s; a request still open after this is not the API's. */
const REQUEST_TIMEOUT_MS = 10_000;

/** What a callback says, unverified. */
export interface ReceivedCallback {
  taskId: string;
  /** The status it claims ("" when it names none). */
  status: string;
  /** The body as parsed. */
  payload: Record<string, unknown>;
}

/** Where callbacks come from, as the runner sees it. */
export interface CallbackInbox {
  /** Calls `handler` with each callback from now on, after its 204 went out; returns the unsubscribe. */
  subscribe(handler: (callback: ReceivedCallback) => void): () => void;
}

/** Requests the receiver answered, by what it did with them. */
export interface ReceiverCounts {
  /** Answered 204 and handed on. */
  accepted: number;
  /** 404 (another path) or 405 (not a POST). */
  refused: number;
  /** 413: over MAX_CALLBACK_BYTES. */
  tooLarge: number;
  /** 400: not JSON, or no task id. */
  malformed: number;
}

export interface CallbackReceiver extends CallbackInbox {
  readonly host: string;
  readonly port: number;
  readonly counts: Readonly<ReceiverCounts>;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

export interface ReceiverOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The only path callbacks are taken on: the callback URL's. */
  path: string;
}

export async function startCallbackReceiver(options: ReceiverOptions): Promise<CallbackReceiver> {
  const handlers = new Set<(callback: ReceivedCallback) => void>();
  const counts: ReceiverCounts = { accepted: 0, refused: 0, tooLarge: 0, malformed: 0 };
  const server = createServer((req, res) => {
    void receive(req, res, options.path).then((answer) => {
      counts[answer.outcome]++;
      if (answer.callback === undefined) return;
      const callback = answer.callback;
      // The 204 is on its way: the work happens after it, never before.
      setImmediate(() => handlers.forEach((handler) => handler(callback)));
    });
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      reject(new ShotlistError("callback_listen", `could not listen for callbacks on ${options.host}:${options.port} (--listen): ${err.code ?? err.message}`)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: options.host,
    port,
    counts,
    subscribe(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    async close() {
      handlers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

type Refusal = Exclude<keyof ReceiverCounts, "accepted">;
type Answer = { outcome: Refusal; callback?: undefined } | { outcome: "accepted"; callback: ReceivedCallback };

async function receive(req: IncomingMessage, res: ServerResponse, path: string): Promise<Answer> {
  const pathname = new URL(req.url ?? "/", "http://receiver").pathname;
  if (pathname !== path) return refuse(req, res, 404, "refused");
  if (req.method !== "POST") return refuse(req, res, 405, "refused", { allow: "POST" });
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_CALLBACK_BYTES) return refuse(req, res, 413, "tooLarge");
  const body = await readLimited(req);
  if (body === "too-large") return refuse(req, res, 413, "tooLarge");
  const callback = body === "aborted" ? undefined : parseCallback(body.text);
  if (callback === undefined) return refuse(req, res, 400, "malformed");
  res.writeHead(204).end();
  return { outcome: "accepted", callback };
}

/** Answers without reading further, and closes the connection so an unread body is not waited for. */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, outcome: Refusal, headers: Record<string, string> = {}): Answer {
  if (!res.destroyed) res.writeHead(status, { connection: "close", ...headers }).end();
  res.once("finish", () => req.destroy());
  return { outcome };
}

/** The body as text; "too-large" once it passes MAX_CALLBACK_BYTES (the rest is not read), "aborted" when the sender went away. */
async function readLimited(req: IncomingMessage): Promise<{ text: string } | "too-large" | "aborted"> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_CALLBACK_BYTES) return "too-large";
      chunks.push(chunk);
    }
  } catch {
    return "aborted";
  }
  return { text: Buffer.concat(chunks).toString("utf8") };
}

function parseCallback(text: string): ReceivedCallback | undefined {
  const body = parseJson(text);
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const payload = body as Record<string, unknown>;
  if (typeof payload.id !== "string" || payload.id === "") return undefined;
  return { taskId: payload.id, status: typeof payload.status === "string" ? payload.status : "", payload };
}
