import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";
import { manifestText, openWorkspace, readTree, waitForOutput, type Workspace } from "./e2e-helpers.js";

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.close();
  ws = undefined;
});

function createsByIdempotencyKey(w: Workspace): number[] {
  const counts = new Map<string, number>();
  for (const c of w.sim.ledger.creates) counts.set(c.idempotencyKey ?? "", (counts.get(c.idempotencyKey ?? "") ?? 0) + 1);
  return [...counts.values()];
}

describe("shotlist run", () => {
  it("renders the demo manifest with the embedded simulator on a fresh folder", async () => {
    await ensureBuilt();
    ws = await openWorkspace();
    const demo = join(process.cwd(), "manifests", "demo.yaml");
    const { code, stdout } = await runCli(["run", demo, "--sim"], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/3 done, 0 failed/);
    const report = JSON.parse(await readFile(join(ws.dir, "out", "demo", "report.json"), "utf8")) as { jobs: { state: string; output_path: string }[] };
    expect(report.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    for (const job of report.jobs) {
      const head = (await readFile(join(ws.dir, "out", "demo", job.output_path))).subarray(4, 8).toString("latin1");
      expect(head).toBe("ftyp");
    }
  });

  it("refuses to start without an API key and says how to set one", async () => {
    ws = await openWorkspace();
    const { code, stderr } = await ws.run([], { EVOLINK_API_KEY: "" }).result;
    expect(code).toBe(3);
    expect(stderr).toMatch(/EVOLINK_API_KEY is not set: export EVOLINK_API_KEY=/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("stops on SIGINT with exit 130 and the rerun finishes without creating anything twice", async () => {
    ws = await openWorkspace({ genTimeMs: 3_000, jitterMs: 0 }, manifestText(4));
    const first = ws.run(["--json"]);
    await waitForOutput(first.output, /("to":"generating"[^\n]*\n[^]*){4}/, first.result);
    first.child.kill("SIGINT");
    expect((await first.result).code).toBe(130);
    const second = await ws.run().result;
    expect(second.code).toBe(0);
    expect(createsByIdempotencyKey(ws)).toEqual([1, 1, 1, 1]);
  });

  it("refuses a second runner on the same state while the first runs", async () => {
    ws = await openWorkspace({ genTimeMs: 5_000, jitterMs: 0 });
    const first = ws.run(["--json"]);
    await waitForOutput(first.output, /"to":"generating"/, first.result);
    const second = await ws.run().result;
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/lock|in use|another/i);
    first.child.kill("SIGINT");
    await first.result;
  });

  it("renders only the edited shot again and keeps its earlier clip in history", async () => {
    ws = await openWorkspace();
    expect((await ws.run().result).code).toBe(0);
    await ws.writeManifest(manifestText(3, { 1: "Shot 2, rewritten: a lighthouse in fog" }));
    expect((await ws.run().result).code).toBe(0);
    expect(ws.sim.ledger.creates).toHaveLength(4);
    const history = (await readTree(join(ws.dir, "out", "e2e", "s02"))).map((f) => f.path).filter((p) => p.includes("history"));
    expect(history.some((p) => p.endsWith(".mp4"))).toBe(true);
    expect(history.some((p) => p.endsWith(".json"))).toBe(true);
  });

  it("resumes after being killed outright, with exactly one create per job", async () => {
    ws = await openWorkspace({ genTimeMs: 1_500, jitterMs: 0 }, manifestText(4));
    const first = ws.run(["--json"]);
    // Killed once every task id is recorded: no create is left in the ambiguous window.
    await waitForOutput(first.output, /("to":"generating"[^\n]*\n[^]*){4}/, first.result);
    first.child.kill("SIGKILL");
    await first.result;
    const second = await ws.run().result;
    expect(second.code).toBe(0);
    expect(createsByIdempotencyKey(ws).every((n) => n === 1)).toBe(true);
    const clips = (await readTree(join(ws.dir, "out", "e2e"))).filter((f) => f.path.endsWith(".mp4"));
    expect(clips).toHaveLength(4);
  });

  it("never writes the API key to any output or file", async () => {
    ws = await openWorkspace({ rate5xx: 0.2, seed: 7 });
    const { stdout, stderr } = await ws.run(["--json"]).result;
    expect(stdout + stderr).not.toContain(ws.sim.apiKey);
    for (const file of await readTree(ws.dir)) expect(file.bytes.includes(ws.sim.apiKey), file.path).toBe(false);
  });
});

describe("shotlist status", () => {
  it("shows every job's state from the database alone", async () => {
    ws = await openWorkspace();
    await ws.run().result;
    await ws.sim.close();
    const { code, stdout } = await runCli(["status", ws.manifest], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout.match(/\bdone\b/g)?.length).toBeGreaterThanOrEqual(3);
    expect((await stat(join(ws.dir, "out", "e2e", "report.json"))).isFile()).toBe(true);
  });
});
