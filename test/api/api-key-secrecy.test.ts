import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ApiError, createApiClient, type ApiClient } from "../../src/api/index.js";
import { useScriptedServer, type RecordedRequest } from "../helpers/scripted-server.js";

const API_KEY = "sk-live-SECRET-9f8e7d6c5b4a";
const REQUEST = { model: "m", prompt: "p", duration: 5, quality: "480p", aspect_ratio: "16:9", generate_audio: false };

/** Everything a thrown value can show: message, stack, JSON and the inspected cause chain. */
function everything(err: unknown): string {
  const e = err as Error;
  return [e.message, e.stack, JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })].join("\n");
}

/** A server at its worst: it repeats the caller's Authorization header in everything it says. */
const echoKey = (req: RecordedRequest): string => String(req.headers.authorization);

describe("the API key", () => {
  it("never appears in a thrown error", async () => {
    const server = await useScriptedServer();
    server.route("POST /v1/videos/generations", (req, res) => {
      res
        .writeHead(400, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { code: echoKey(req), message: `key ${echoKey(req)} is bad`, type: echoKey(req) } }));
    });
    server.route("GET /v1/tasks/invalid", (req, res) => res.writeHead(200).end(`not json ${echoKey(req)}`));
    server.route("GET /v1/tasks/missing-id", (req, res) => res.writeHead(200).end(JSON.stringify({ status: echoKey(req) })));
    server.route("GET /v1/tasks/hang", () => undefined);
    server.route("GET /v1/tasks/drop", (_req, res) => res.socket?.destroy());
    server.route("POST /v1/tasks/t/cancel", (req, res) => res.writeHead(429, { "retry-after": echoKey(req) }).end(echoKey(req)));
    const client: ApiClient = createApiClient({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 300 });
    onTestFinished(() => client.close());

    const calls = [
      client.createTask(REQUEST, { idempotencyKey: "abcdefghijklmnop" }),
      client.getTask("invalid"),
      client.getTask("missing-id"),
      client.getTask("hang"),
      client.getTask("drop"),
      client.cancelTask("t"),
    ];
    const errors = await Promise.all(
      calls.map((p) =>
        p.then(
          () => expect.fail("expected a failure"),
          (e: unknown) => e,
        ),
      ),
    );
    // Each call reached the server with the key, and failed the way its answer says: no failure before sending.
    // (The calls run at once: they arrive in any order.)
    expect(server.requests.map((r) => `${r.method} ${r.url} ${r.headers.authorization}`).sort()).toEqual(
      [
        "GET /v1/tasks/drop",
        "GET /v1/tasks/hang",
        "GET /v1/tasks/invalid",
        "GET /v1/tasks/missing-id",
        "POST /v1/tasks/t/cancel",
        "POST /v1/videos/generations",
      ].map((call) => `${call} Bearer ${API_KEY}`),
    );
    expect(errors.map((e) => (e instanceof ApiError ? e.kind : e))).toEqual(["invalid", "transient", "transient", "transient", "transient", "rate_limited"]);
    for (const err of errors) {
      // The server did get the key: what is checked is that nothing thrown repeats it.
      expect(everything(err)).not.toContain(API_KEY);
    }
    expect(everything(errors[0])).toContain("[redacted]");
  });
});
