import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/manifest/job.js";
import { loadBatch } from "../../src/manifest/load.js";
import { ResultFile } from "../../src/sim/content.js";
import { DEFAULT_SIM_OPTIONS } from "../../src/sim/index.js";
import { ensureBuilt } from "../helpers/build.js";
import { runCli, waitForOutput } from "../helpers/cli.js";
import { ALL_DONE, createsPerKey, jobOutcomes, manifestText, readTree, statusRows, useWorkspace } from "./e2e-helpers.js";

/** --json lines until `n` jobs have a task at the API. */
const generating = (n: number): RegExp => new RegExp(`("to":"generating"[^\\n]*\\n[^]*){${n}}`);

describe("shotlist run", () => {
  it("renders the demo manifest with the embedded simulator on a fresh folder", async () => {
    await ensureBuilt();
    const ws = await useWorkspace();
    const demo = join(process.cwd(), "manifests", "demo.yaml");
    const { code, stdout } = await runCli(["run", demo, "--sim"], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^4 done, 0 failed, 0 expired · 16 s of video · /);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe(`review the takes: shotlist review ${demo} --open`);
    const batch = join(ws.dir, "out", "demo");
    const report = JSON.parse(await readFile(join(batch, "report.json"), "utf8")) as {
      jobs: { state: string; task_id: string; output_path: string; bytes: number; sha256: string }[];
    };
    expect(report.jobs.map((j) => j.state)).toEqual(["done", "done", "done", "done"]);
    const { jobs } = (await loadBatch(demo, {})).batch;
    const variants = await Promise.all(
      report.jobs.map(async (job, i) => {
        const { aspect_ratio: aspectRatio, duration } = (jobs[i] as Job).request;
        // The embedded simulator is gone with the CLI, but its bytes follow from the task id and the request, in one
        // of the variants (the takes of one prompt get them in the order their creates came).
        const served = [0, 1].map((variant) => new ResultFile(job.task_id, DEFAULT_SIM_OPTIONS.resultBytes, { aspectRatio, duration, variant }));
        const clip = await readFile(join(batch, job.output_path));
        const variant = served.findIndex((file) => file.sha256() === createHash("sha256").update(clip).digest("hex"));
        expect({ bytes: job.bytes, sha256: job.sha256 }).toEqual({ bytes: clip.length, sha256: served[variant]?.sha256() });
        return variant;
      }),
    );
    expect(variants.slice(0, 2).sort()).toEqual([0, 1]);
    expect(variants.slice(2)).toEqual([0, 0]);
  });

  it("refuses to start without an API key and says how to set one, sending and writing nothing", async () => {
    const ws = await useWorkspace();
    const { code, stderr } = await ws.run([], { EVOLINK_API_KEY: "" }).result;
    expect(code).toBe(3);
    expect(stderr).toMatch(/EVOLINK_API_KEY is not set: export EVOLINK_API_KEY=/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(ws.sim.ledger.creates).toHaveLength(0);
    expect(existsSync(ws.batchDir)).toBe(false);
  });

  // SIGHUP: the terminal or SSH session closed; Node's default would kill the run on the spot.
  it.each(["SIGINT", "SIGHUP"] as const)("stops on %s with exit 130 and the rerun finishes without creating anything twice", async (signal) => {
    const ws = await useWorkspace({ genTimeMs: 3_000, jitterMs: 0 }, manifestText(4));
    const first = ws.run(["--json"]);
    await waitForOutput(first, generating(4));
    first.child.kill(signal);
    expect((await first.result).code).toBe(130);
    expect((await statusRows(ws)).map((r) => r.state)).toEqual(["generating", "generating", "generating", "generating"]);

    const second = await ws.run().result;
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/^4 done, 0 failed, 0 expired · /);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(4));
    expect(createsPerKey(ws)).toEqual([1, 1, 1, 1]);
  });

  it("refuses a second runner on the same state while the first runs, naming the holder", async () => {
    const ws = await useWorkspace({ genTimeMs: 600_000, jitterMs: 0 }, manifestText(1));
    const first = ws.run(["--json"]);
    await waitForOutput(first, generating(1));
    const state = await readFile(join(ws.batchDir, ".shotlist", "state.db"));

    const second = await ws.run().result;
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`^shotlist: State file .*state\\.db is in use by shotlist pid ${first.child.pid} on `));
    expect(ws.sim.ledger.creates).toHaveLength(1);
    expect((await readFile(join(ws.batchDir, ".shotlist", "state.db"))).equals(state)).toBe(true);
    first.child.kill("SIGINT");
    expect((await first.result).code).toBe(130);
  });

  it("renders only the edited shot again and keeps its earlier clip in history", async () => {
    const ws = await useWorkspace();
    expect((await ws.run().result).code).toBe(0);
    const before = await statusRows(ws);
    const edited = "Shot 2, rewritten: a lighthouse in fog";
    await ws.writeManifest(manifestText(3, { 1: edited }));

    expect((await ws.run().result).code).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
    const after = await statusRows(ws);
    expect(ws.sim.ledger.creates.map((c) => (c.body as { prompt: string }).prompt).slice(3)).toEqual([edited]);
    expect(after.map((r) => r.sha256)).toEqual([before[0]?.sha256, ws.sim.expectedSha256(ws.sim.ledger.creates[3]?.taskId ?? ""), before[2]?.sha256]);
    const old = before[1];
    const history = join(ws.batchDir, "s02", "history");
    const kept = await readFile(join(history, `s02_take-01.${old?.key}.mp4`));
    expect(createHash("sha256").update(kept).digest("hex")).toBe(ws.sim.expectedSha256(old?.task_id ?? ""));
    expect(JSON.parse(await readFile(join(history, `s02_take-01.${old?.key}.json`), "utf8"))).toMatchObject({ key: old?.key, task_id: old?.task_id });
  });

  it("resumes after being killed outright, with exactly one create per job", async () => {
    const ws = await useWorkspace({ genTimeMs: 1_500, jitterMs: 0 }, manifestText(4));
    const first = ws.run(["--json"]);
    // Killed once every task id is recorded: no create is left in the ambiguous window.
    await waitForOutput(first, generating(4));
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");

    const second = await ws.run().result;
    expect(second.code, second.stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(4));
    expect(createsPerKey(ws)).toEqual([1, 1, 1, 1]);
  });

  it("never writes the API key to any output or file, over a run that met 5xx answers and finished", async () => {
    const ws = await useWorkspace({ rate5xx: 0.2, seed: 7 });
    const { code, stdout, stderr } = await ws.run(["--json"]).result;
    expect(code, stderr).toBe(0);
    // The key was sent (the simulator answers 401 without it) on every kind of request, and errors came back.
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
    expect(ws.sim.ledger.polls.some((p) => p.status === 200)).toBe(true);
    expect(ws.sim.ledger.faults.some((f) => f.kind === "server_error" || f.kind === "unavailable")).toBe(true);

    expect(stdout + stderr).not.toContain(ws.sim.apiKey);
    const files = await readTree(ws.dir);
    expect(files.map((f) => f.path)).toContain(join(ws.batchDir, ".shotlist", "state.db"));
    for (const file of files) expect(file.bytes.includes(ws.sim.apiKey), file.path).toBe(false);
  });
});

describe("shotlist status", () => {
  it("shows every job's state from the database alone", async () => {
    const ws = await useWorkspace({}, manifestText(3, { 1: "[policy] a forbidden scene" }));
    expect((await ws.run().result).code).toBe(1);
    const outcomes = await jobOutcomes(ws);
    expect(outcomes).toEqual(["s01 done", "s02 failed", "s03 done"]);
    await ws.sim.close();

    const { code, stdout } = await runCli(["status", ws.manifest], { cwd: ws.dir });
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(
      lines.slice(1, 4).map((l) =>
        l
          .split(/\s{2,}/)
          .slice(0, 3)
          .join(" "),
      ),
    ).toEqual(["s01 1 done", "s02 1 failed", "s03 1 done"]);
    expect(lines.slice(5)).toEqual([
      "3 jobs: 2 done, 1 failed",
      expect.stringMatching(new RegExp(`^0 jobs not started yet · [\\d.]+ credits reserved so far · state: ${join(ws.batchDir, ".shotlist", "state.db")}$`)),
      "",
    ]);
  });
});
