/**
 * The API key never appears in anything shotlist writes: stdout, stderr
 * (plain and --json), the state database and its -wal, sidecars, the report,
 * error messages. Checked over runs full of faults, a refused key, a failing
 * download, a kill mid-run, and an API that echoes the key back everywhere.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startCli, type CliResult } from "../helpers/cli.js";
import { manifestText, openWorkspace, readTree, waitForOutput, type Workspace } from "../e2e/e2e-helpers.js";
import { answer, useFakeApi } from "./fake-api.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

/** Every byte the run left: its output, and every file under the workspace (state.db, -wal, -shm, sidecars, report). */
async function expectNowhere(dir: string, results: CliResult[], secrets: string[]): Promise<number> {
  const files = await readTree(dir);
  for (const secret of secrets) {
    for (const r of results) expect(r.stdout + r.stderr, "CLI output").not.toContain(secret);
    for (const f of files) expect(f.bytes.includes(secret), f.path).toBe(false);
  }
  return files.length;
}

const FAULTY_PROMPTS = { 0: "[policy] a forbidden scene", 1: "[transient] a storm at sea", 2: "[fail:resource_not_found] a lost reel" };

describe("the API key", () => {
  it("is nowhere after a run full of faults, failed tasks and broken downloads, in plain and --json output", async () => {
    ws = await openWorkspace({ rate5xx: 0.1, resetAfterRate: 0.1, truncateRate: 0.25, seed: 11 }, manifestText(5, FAULTY_PROMPTS));
    const json = await ws.run(["--json"]).result;
    expect(json.code).toBe(1);
    ws.sim.setFaults({ rate5xx: 0, resetAfterRate: 0, truncateRate: 0 });
    const plain = await ws.run(["--retry-failed"]).result;
    const files = await expectNowhere(ws.dir, [json, plain], [ws.sim.apiKey]);
    expect(files).toBeGreaterThan(5);
    expect(json.stdout).toMatch(/"content_policy_violation"/);
  });

  it("is nowhere when the key is refused (exit 3), neither the wrong key nor the right one", async () => {
    ws = await openWorkspace({}, manifestText(3));
    const wrong = "sk-wrong-5f0c1a9e7b3d42c8a6e1";
    const json = await ws.run(["--json"], { EVOLINK_API_KEY: wrong }).result;
    const plain = await ws.run([], { EVOLINK_API_KEY: wrong }).result;
    for (const r of [json, plain]) {
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/the API refused the key \(401\/403\): check EVOLINK_API_KEY/);
    }
    await expectNowhere(ws.dir, [json, plain], [wrong, ws.sim.apiKey]);
  });

  it("is nowhere in the state database and its write-ahead log when the run is killed mid-way", async () => {
    ws = await openWorkspace({ genTimeMs: 2_000, jitterMs: 0, rate5xx: 0.2, seed: 5 }, manifestText(4));
    const first = ws.run(["--json"]);
    await waitForOutput(first.output, /"to":"generating"/, first.result);
    first.child.kill("SIGKILL");
    const killed = await first.result;
    const names = (await readdir(join(ws.dir, "out", "e2e", ".shotlist"))).sort();
    expect(names).toContain("state.db-wal");
    await expectNowhere(ws.dir, [killed], [ws.sim.apiKey]);
  });

  it("is nowhere even when the API echoes it back in errors, task fields, result URLs and the file host's pages", async () => {
    const api = await useFakeApi("sk-echo-9d41f0b27c6e4a1b8f33");
    const echo = (header: string | string[] | undefined): string => String(header).replace(/^Bearer\s+/i, "");
    let creates = 0;
    api.onCreate((req, res) => {
      const key = echo(req.headers.authorization);
      if (++creates === 1) return answer.json(res, 500, { error: { code: "internal_error", message: `upstream rejected key ${key}`, type: "server_error" } });
      return answer.task(res, "t1", "pending", { model: key, error: { message: `debug: ${key}` } });
    });
    api.onGet("t1", (req, res) => answer.task(res, "t1", "completed", { results: [`${api.fileUrl("t1")}&token=${echo(req.headers.authorization)}`] }));
    api.onFile("t1", (req, res) => answer.json(res, 403, { error: `expired link ${req.url}` }));
    ws = await openWorkspace({}, manifestText(1));
    const json = await startCli(["run", ws.manifest, "--poll-interval", "0.1", "--json"], { cwd: ws.dir, env: { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey } }).result;
    expect(json.code).toBe(1);
    expect(json.stdout).toMatch(/"to":"expired"/);
    await expectNowhere(ws.dir, [json], [api.apiKey]);
    // The echoes did arrive, scrubbed.
    expect(json.stdout).toContain("upstream rejected key [redacted]");
    expect(api.server.requests.length).toBeGreaterThanOrEqual(5);
  });
});
