/**
 * A proxy in front of a test S3 server, over real sockets: it records every
 * request the store is sent (method and path), and lets a test answer some
 * of them itself (a 503 storm) or hold them (uploads in flight when the CLI
 * is killed). Closed when the test ends.
 *
 *   const proxy = await useS3Proxy(store.endpoint);
 *   proxy.fault = (req) => (req.method === "PUT" ? 503 : undefined);
 */
import { createServer, request as forward, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { onTestFinished } from "vitest";

export interface ProxiedRequest {
  method: string;
  /** The path without the query: /bucket/key. */
  path: string;
  query: string;
}

export interface S3Proxy {
  /** http://127.0.0.1:<port>: the endpoint to give shotlist. */
  url: string;
  requests: ProxiedRequest[];
  /** A status to answer with instead of forwarding ("hold": never answer); undefined forwards. */
  fault: (req: ProxiedRequest) => number | "hold" | undefined;
  /** Resolves once a request matching `test` has arrived. */
  seen(test: (req: ProxiedRequest) => boolean): Promise<void>;
}

export async function useS3Proxy(target: string): Promise<S3Proxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const waiting: { test: (req: ProxiedRequest) => boolean; resolve: () => void }[] = [];
  const proxy: S3Proxy = {
    url: "",
    requests: [],
    fault: () => undefined,
    seen: (test) => (proxy.requests.some(test) ? Promise.resolve() : new Promise((resolve) => waiting.push({ test, resolve }))),
  };
  const server = createServer((req: IncomingMessage, res) => {
    const [path = "", query = ""] = (req.url ?? "").split("?");
    const seen = { method: req.method ?? "", path: decodeURIComponent(path), query };
    proxy.requests.push(seen);
    for (const w of waiting.filter((w) => w.test(seen))) w.resolve();
    const fault = proxy.fault(seen);
    if (fault === "hold") return void req.resume();
    if (fault !== undefined) {
      req.resume();
      res.writeHead(fault, { "content-type": "application/xml" });
      return void res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected ${fault}</Message></Error>`);
    }
    const out = forward({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return proxy;
}
