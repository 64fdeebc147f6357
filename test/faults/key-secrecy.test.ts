/**
 * The API key never appears in anything shotlist writes: stdout, stderr
 * (plain and --json), the state database and its -wal, sidecars, the report,
 * error messages. Checked over runs full of faults, a refused key, a failing
 * download, a kill mid-run, and an API that echoes the key back everywhere.
 */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { startCli, waitForOutput, type CliResult } from "../helpers/cli.js";
import { jobOutcomes, manifestText, readTree, useWorkspace } from "../e2e/e2e-helpers.js";
import { answer, useFakeApi } from "./fake-api.js";

/**
 * Every byte the run left: its output, and every file under the workspace
 * (state.db, -wal, -shm, sidecars, report). Returns the files' paths, for a
 * test to check that the run wrote what it should have.
 */
async function expectNowhere(dir: string, results: CliResult[], secrets: string[]): Promise<string[]> {
  const files = await readTree(dir);
  for (const secret of secrets) {
    for (const r of results) expect(r.stdout + r.stderr, "CLI output").not.toContain(secret);
    for (const f of files) expect(f.bytes.includes(secret), f.path).toBe(false);
  }
  return files.map((f) => relative(dir, f.path));
}

const FAULTY_PROMPTS = { 0: "[policy] a forbidden scene", 1: "[transient] a storm at sea", 2: "[fail:resource_not_found] a lost reel" };

describe("the API key", () => {
  it("is nowhere after runs with failed tasks and random 5xx, lost answers and cut-off downloads, in plain and --json output", async () => {
    const ws = await useWorkspace({ rate5xx: 0.1, resetAfterRate: 0.1, truncateRate: 0.25, seed: 11 }, manifestText(5, FAULTY_PROMPTS));
    const json = await ws.run(["--json"]).result;
    expect(json.code).toBe(1);
    ws.sim.setFaults({ rate5xx: 0, resetAfterRate: 0, truncateRate: 0 });
    const plain = await ws.run(["--retry-failed"]).result;
    expect(plain.code, plain.stderr).toBe(1);
    // The runs reached the API with the key (the simulator answers 401 without it), and saved or failed every job.
    expect(await jobOutcomes(ws)).toEqual(["s01 failed", "s02 done", "s03 failed", "s04 done", "s05 done"]);
    // Which random faults land depends on how requests interleave; the marked failures always do.
    const kinds = ws.sim.ledger.faults.map((f) => f.kind);
    expect(kinds).toEqual(expect.arrayContaining(["policy", "transient", "marked_failure"]));
    expect(kinds.filter((k) => ["server_error", "unavailable", "reset_after", "truncate"].includes(k)).length).toBeGreaterThan(0);
    expect(json.stdout).toMatch(/"content_policy_violation"/);

    const files = await expectNowhere(ws.dir, [json, plain], [ws.sim.apiKey]);
    expect(files).toEqual(
      expect.arrayContaining([
        "shots.yaml",
        "out/e2e/.shotlist/state.db",
        "out/e2e/report.json",
        "out/e2e/s02/s02_take-01.mp4",
        "out/e2e/s02/s02_take-01.json",
      ]),
    );
  });

  it("is nowhere when the key is refused (exit 3), neither the wrong key nor the right one", async () => {
    const ws = await useWorkspace({}, manifestText(3));
    const wrong = "sk-wrong-5f0c1a9e7b3d42c8a6e1";
    const json = await ws.run(["--json"], { EVOLINK_API_KEY: wrong }).result;
    const plain = await ws.run([], { EVOLINK_API_KEY: wrong }).result;
    for (const r of [json, plain]) {
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/the API refused the key \(401\/403\): check EVOLINK_API_KEY/);
    }
    // Each run sent the wrong key, and the simulator refused it.
    expect(ws.sim.ledger.creates.length).toBeGreaterThanOrEqual(2);
    expect(ws.sim.ledger.creates.every((c) => c.status === 401 && c.taskId === null)).toBe(true);
    await expectNowhere(ws.dir, [json, plain], [wrong, ws.sim.apiKey]);
  });

  it("is nowhere in the state database and its write-ahead log when the run is killed mid-way", async () => {
    const ws = await useWorkspace({ genTimeMs: 2_000, jitterMs: 0, rate5xx: 0.2, seed: 5 }, manifestText(4));
    const first = ws.run(["--json"]);
    await waitForOutput(first, /"to":"generating"/);
    first.child.kill("SIGKILL");
    const killed = await first.result;
    expect(killed.signal).toBe("SIGKILL");
    expect(ws.sim.ledger.creates.some((c) => c.status === 200 && c.taskId !== null)).toBe(true);
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
    const ws = await useWorkspace({}, manifestText(1));
    const json = await startCli(["run", ws.manifest, "--poll-interval", "0.1", "--json"], {
      cwd: ws.dir,
      env: { EVOLINK_BASE_URL: api.url, EVOLINK_API_KEY: api.apiKey },
    }).result;
    expect(json.code).toBe(1);
    expect(json.stdout).toMatch(/"to":"expired"/);
    await expectNowhere(ws.dir, [json], [api.apiKey]);
    // The echoes did arrive, scrubbed.
    expect(json.stdout).toContain("upstream rejected key [redacted]");
    expect(api.creates().map((r) => r.headers.authorization)).toEqual([`Bearer ${api.apiKey}`, `Bearer ${api.apiKey}`]);
    expect(api.gets("t1").length).toBeGreaterThanOrEqual(1);
    expect(api.files("t1").length).toBeGreaterThanOrEqual(1);
  });
});
