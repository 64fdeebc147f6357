/**
 * A tiny EvoLink stand-in built on the scripted server, for faults the
 * simulator is too well-behaved to give: each create, each read of a task and
 * each result file answers as the test scripts it, in order.
 *
 *   const api = await useFakeApi();
 *   api.onCreate((req, res) => answer.task(res, "t1", "pending"));
 *   api.onGet("t1", (req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }));
 *   api.onFile("t1", (req, res) => answer.video(res, req));
 */
import type { ServerResponse } from "node:http";
import { MP4_HEAD_BYTES, mp4HeadFor } from "../helpers/mp4-bytes.js";
import { useScriptedServer, type Handler, type RecordedRequest, type ScriptedServer } from "../helpers/scripted-server.js";

export interface FakeApi {
  url: string;
  apiKey: string;
  server: ScriptedServer;
  /** The nth create gets the nth handler; the last one answers every create after it. */
  onCreate(...handlers: Handler[]): void;
  onGet(taskId: string, ...handlers: Handler[]): void;
  onFile(name: string, ...handlers: Handler[]): void;
  fileUrl(name: string): string;
  creates(): RecordedRequest[];
  gets(taskId?: string): RecordedRequest[];
  files(name?: string): RecordedRequest[];
}

export async function useFakeApi(apiKey = "sk-fake-0123456789abcdef"): Promise<FakeApi> {
  const server = await useScriptedServer();
  const inOrder = (handlers: Handler[]): Handler => {
    let n = 0;
    return (req, res) => {
      const handler = handlers[Math.min(n++, handlers.length - 1)];
      return handler?.(req, res);
    };
  };
  const filePath = (name: string): string => `/files/${name}.mp4`;
  // Like the public API, this one offers no task list: a run that lost a create's answer has nothing to look in.
  for (const route of ["GET /v1/tasks", "POST /v1/tasks/batch"]) server.route(route, (_req, res) => answer.error(res, 404, "not_found"));
  return {
    url: server.url,
    apiKey,
    server,
    onCreate: (...handlers) => server.route("POST /v1/videos/generations", inOrder(handlers)),
    onGet: (taskId, ...handlers) => server.route(`GET /v1/tasks/${taskId}`, inOrder(handlers)),
    onFile: (name, ...handlers) => server.route(`GET ${filePath(name)}`, inOrder(handlers)),
    fileUrl: (name) => `${server.url}${filePath(name)}?sig=abc`,
    creates: () => server.requests.filter((r) => r.method === "POST" && r.url === "/v1/videos/generations"),
    gets: (taskId) =>
      server.requests.filter((r) => r.method === "GET" && (taskId === undefined ? r.url.startsWith("/v1/tasks/") : r.url === `/v1/tasks/${taskId}`)),
    files: (name) => server.requests.filter((r) => (name === undefined ? r.url.startsWith("/files/") : r.url.split("?")[0] === filePath(name))),
  };
}

/** A small file that passes the video sniff and the structure check: ftyp, moov, then an mdat of filler. */
export function videoBytes(size = 4096): Buffer {
  return Buffer.concat([mp4HeadFor(size), Buffer.alloc(size - MP4_HEAD_BYTES, 0x2e)]);
}

export const answer = {
  json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers }).end(text);
  },
  task(res: ServerResponse, id: string, status: string, extra: Record<string, unknown> = {}): void {
    answer.json(res, 200, { id, object: "video.generation.task", status, progress: status === "completed" ? 100 : 10, ...extra });
  },
  error(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}): void {
    answer.json(res, status, { error: { code, message: `scripted ${code}`, type: "scripted_error" } }, headers);
  },
  /** Serves `bytes` whole, or from the asked Range. */
  video(res: ServerResponse, req: RecordedRequest, bytes = videoBytes()): void {
    const from = Number(/^bytes=(\d+)-$/.exec(String(req.headers.range ?? ""))?.[1] ?? 0);
    if (from > 0) {
      res.writeHead(206, {
        "content-type": "video/mp4",
        "content-length": String(bytes.length - from),
        "content-range": `bytes ${from}-${bytes.length - 1}/${bytes.length}`,
      });
      res.end(bytes.subarray(from));
      return;
    }
    res.writeHead(200, { "content-type": "video/mp4", "content-length": String(bytes.length) }).end(bytes);
  },
  /**
   * Writes a raw HTTP answer on the socket, bypassing node's checks: how a
   * broken server sends a body that disagrees with its Content-Length.
   */
  raw(res: ServerResponse, head: string, body: Buffer, then: "close" | "hang" = "close"): void {
    const socket = res.socket;
    if (socket === null) throw new Error("the answer has no socket");
    socket.write(Buffer.concat([Buffer.from(`${head}\r\n\r\n`, "latin1"), body]));
    if (then === "close") socket.end();
  },
};
