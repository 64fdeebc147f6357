/**
 * A loopback HTTP server whose every answer a test scripts by hand: the
 * wrong, slow and broken answers the EvoLink simulator is too well-behaved
 * to give (Retry-After values, cut-off JSON, a body that stops mid-way).
 *
 *   const server = await useScriptedServer();   // closed when the test ends
 *   server.route("GET /v1/tasks/t1", (req, res) => res.end("{...}"));
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { onTestFinished } from "vitest";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** Client port of the connection it came on: tells keep-alive reuse and pool bounds. */
  remotePort: number | undefined;
}

/** May return a promise; a rejection destroys the connection. */
export type Handler = (req: RecordedRequest, res: ServerResponse) => unknown;

export interface ScriptedServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Sets the handler of "<METHOD> <path>" (path without the query). Unrouted requests get a 599. */
  route(key: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const routes = new Map<string, Handler>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      const handler = routes.get(`${recorded.method} ${recorded.url.split("?")[0] ?? ""}`);
      if (handler === undefined) {
        res.writeHead(599).end(`no route for ${recorded.method} ${recorded.url}`);
        return;
      }
      Promise.resolve(handler(recorded, res)).catch((err: unknown) => res.destroy(err as Error));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    route: (key, handler) => routes.set(key, handler),
    async close() {
      // Hanging handlers never end their answers: cut their sockets so close() returns.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts a server for one test and closes it (all sockets included) after it. */
export async function useScriptedServer(): Promise<ScriptedServer> {
  const server = await startScriptedServer();
  onTestFinished(() => server.close());
  return server;
}
