/** Loopback helpers for tests and the bench: one request on its own connection, a free port. */
import { request } from "node:http";
import { createServer } from "node:net";

/** A port free on loopback now, for a server that must be named before it listens (a callback URL names its receiver's port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One HTTP request on its own connection (no pool left open): the status answered, and the body. */
export function httpRequest(url: string, options: { method?: string; body?: string; chunked?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? "";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.chunked !== true) headers["content-length"] = String(Buffer.byteLength(body));
    const req = request(url, { method: options.method ?? "POST", agent: false, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on("error", reject);
    });
    // The receiver may close once it has answered, before the whole body was taken.
    req.on("error", (err: NodeJS.ErrnoException) => (err.code === "EPIPE" || err.code === "ECONNRESET" ? undefined : reject(err)));
    req.end(body);
  });
}
