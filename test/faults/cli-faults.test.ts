/**
 * Faults through the built CLI, where a flag is the user's answer to them:
 * --request-timeout for an API that hangs, --retry-window for one that keeps
 * refusing, --rerender-expired for clips whose result URL died before they
 * were saved; and API text that must not reach a terminal as it came.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { runCli } from "../helpers/cli.js";
import { manifestText, useWorkspace } from "../e2e/e2e-helpers.js";
import { answer, useFakeApi } from "./fake-api.js";

describe("--request-timeout", () => {
  it("gives up on an answer that hangs half-way after the time asked, then polls again and finishes", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet(
      "t1",
      (_req, res) =>
        answer.raw(res, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 300", Buffer.from('{"id":"t1","status":"proc'), "hang"),
      (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl("t1")] }),
    );
    api.onFile("t1", (req, res) => answer.video(res, req));
    const ws = await useWorkspace({}, manifestText(1));
    const started = Date.now();
    const result = await runCli(["run", ws.manifest, "--poll-interval", "0.1", "--request-timeout", "0.5", "--json"], {
      cwd: ws.dir,
      env: { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(api.gets("t1")).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("refuses a value that is not seconds, as a usage error", async () => {
    const ws = await useWorkspace({}, manifestText(1));
    const result = await ws.run(["--request-timeout", "soon"]).result;
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('shotlist: --request-timeout expects seconds from 0.1 to 600, got "soon"\n');
    expect(ws.sim.ledger.creates).toHaveLength(0);
  });
});

describe("--retry-window", () => {
  it("exits 3 saying to run again later when every create is answered 429 for the whole window", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.error(res, 429, "rate_limit_exceeded", { "retry-after": "1" }));
    const ws = await useWorkspace({}, manifestText(2));
    const result = await runCli(["run", ws.manifest, "--retry-window", "1"], { cwd: ws.dir, env: { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey } });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/shotlist: the API answered 429 \(rate limited\) to every create for the whole retry window .* run again later/);
    expect(result.stdout).toMatch(/0 done, 0 failed, 0 expired, 2 unfinished/);
  });

  it("keeps the jobs whose creates keep failing with 5xx past the window queued, and exits 3 saying the API could not be reached", async () => {
    const api = await useFakeApi();
    api.onCreate((_req, res) => answer.error(res, 503, "service_unavailable"));
    const ws = await useWorkspace({}, manifestText(2));
    const result = await runCli(["run", ws.manifest, "--retry-window", "0.5", "--json"], {
      cwd: ws.dir,
      env: { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^shotlist: could not reach the API: no task was created for the jobs left/m);
    expect(result.stdout).toMatch(/"to":"queued"[^\n]*"error_message":"gave up after \d+ tries over/);
    expect(result.stdout).not.toMatch(/"to":"failed"/);
  });
});

describe("--rerender-expired", () => {
  it("leaves expired clips alone on a plain rerun and renders them anew when asked", async () => {
    // The first API's result URLs die at once; the second is healthy.
    const ws = await useWorkspace({ urlTtlMs: 1 }, manifestText(2));
    const healthy = await startSimulator({ genTimeMs: 300, jitterMs: 100 });
    onTestFinished(() => healthy.close());

    const first = await ws.run().result;
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/0 done, 0 failed, 2 expired/);

    const env = { EVOLINK_BASE_URL: healthy.url, EVOLINK_API_KEY: healthy.apiKey };
    const plain = await ws.run([], env).result;
    expect(plain.code).toBe(1);
    expect(healthy.ledger.creates).toHaveLength(0);

    const rerender = await ws.run(["--rerender-expired"], env).result;
    expect(rerender.code, rerender.stdout + rerender.stderr).toBe(0);
    expect(healthy.ledger.creates).toHaveLength(2);
    const report = JSON.parse(await readFile(join(ws.dir, "out", "e2e", "report.json"), "utf8")) as { jobs: { state: string }[] };
    expect(report.jobs.map((j) => j.state)).toEqual(["done", "done"]);
  });
});

describe("text from the API", () => {
  it("reaches no terminal or log with control characters that could rewrite or forge lines", async () => {
    const api = await useFakeApi();
    const forged = "\u001b[2J\u001b[31mpwned\r\n2026-01-01T00:00:00Z s01#1 generating -> done (forged)\u0007";
    let creates = 0;
    api.onCreate((_req, res) => {
      if (++creates === 1) return answer.json(res, 500, { error: { code: `internal${forged}`, message: forged, type: "server_error" } });
      return answer.task(res, "t1", "pending");
    });
    api.onGet("t1", (_req, res) => answer.task(res, "t1", "failed", { error: { code: `content_policy_violation${forged}`, message: forged } }));
    const ws = await useWorkspace({}, manifestText(1));
    const env = { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey };
    const plain = await runCli(["run", ws.manifest, "--poll-interval", "0.1"], { cwd: ws.dir, env });
    const status = await runCli(["status", ws.manifest], { cwd: ws.dir, env });

    expect(plain.code).toBe(1);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^s01 +1 +failed +t1 /m);
    for (const output of [plain.stdout + plain.stderr, status.stdout + status.stderr]) {
      expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(output).not.toContain("(forged)\n");
    }
    expect(plain.stdout + plain.stderr).toContain("\ufffd[2J");
  });
});
