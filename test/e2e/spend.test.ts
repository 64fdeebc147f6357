/** Spend control through the real CLI: the credit cap across a SIGKILL, its last line, --only/--except, and the estimate. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CreateRequest } from "../../src/api/types.js";
import { ledgerReservations } from "../helpers/ledger-credits.js";
import { runCli, waitForOutput } from "../helpers/cli.js";
import { manifestText, statusRows, useWorkspace } from "./e2e-helpers.js";

/** manifestText's shots are 4 s at 480p, silent: the minimum a Seedance 1.5 Pro task is billed, 3.4445 credits. */
const EACH = 3.4445;

describe("the credit cap", () => {
  it("holds across a SIGKILL: the rerun counts what the killed run reserved", { timeout: 90_000 }, async () => {
    const ws = await useWorkspace({ genTimeMs: 1_500, jitterMs: 0 }, manifestText(8));
    const first = ws.run(["--max-credits", "20", "--concurrency", "3", "--json"]);
    await waitForOutput(first, /("to":"generating"[^\n]*\n[^]*){3}/);
    first.child.kill("SIGKILL");
    await first.result;

    const second = await ws.run(["--max-credits", "20"]).result;

    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain("budget: 17.2 of 20 credits reserved; 3 jobs not sent (about 10.3 credits)\n");
    expect((await statusRows(ws)).filter((r) => r.state === "done")).toHaveLength(5);
    expect(ledgerReservations(ws.sim)).toBeLessThanOrEqual(20);
  });

  it("ends a run it stopped with the budget line, exit 1, as a JSON event and in report.json", async () => {
    const ws = await useWorkspace({}, manifestText(4));
    const run = await ws.run(["--max-credits", "7", "--json"]).result;

    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("budget: 6.9 of 7 credits reserved; 2 jobs not sent (about 6.9 credits)");
    const event = run.stdout
      .split("\n")
      .filter((line) => line.includes('"run:budget"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(event).toEqual([expect.objectContaining({ max_credits: 7, reserved: 2 * EACH, not_sent: 2, message: expect.stringMatching(/^budget: 6\.9 of 7/) })]);
    const report = JSON.parse(await readFile(join(ws.batchDir, "report.json"), "utf8")) as { budget: unknown };
    expect(report.budget).toEqual({ max_credits: 7, reserved: 2 * EACH, not_sent: 2, not_sent_credits: 2 * EACH, not_sent_unpriced: 0 });
  });

  it("is read from the manifest's budget.max_credits, and the flag wins", async () => {
    const ws = await useWorkspace({}, manifestText(4).replace("shots:", "budget: { max_credits: 4 }\nshots:"));
    expect((await ws.run().result).stderr).toContain("budget: 3.4 of 4 credits reserved; 3 jobs not sent");
    expect((await ws.run(["--max-credits", "100"]).result).code).toBe(0);
  });
});

describe("--only and --except", () => {
  it("run renders exactly the shots selected, and status shows only them", async () => {
    const ws = await useWorkspace({}, manifestText(6));
    expect((await ws.run(["--only", "s0[2-4]", "--except", "s03"]).result).code).toBe(0);
    const sent = ws.sim.ledger.creates.map((c) => /^Shot \d+/.exec((c.body as CreateRequest).prompt)?.[0]);
    expect(sent.sort()).toEqual(["Shot 2", "Shot 4"]);
    const status = await runCli(["status", ws.manifest, "--only", "s0[1-3]", "--json"], { cwd: ws.dir });
    expect((JSON.parse(status.stdout) as { jobs: { shot: string }[] }).jobs.map((j) => j.shot)).toEqual(["s02"]);
  });

  it("refuses a pattern that matches no shot, naming the closest ids, before anything is sent", async () => {
    const ws = await useWorkspace({}, manifestText(3));
    const run = await ws.run(["--only", "s4"]).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('shotlist: --only "s4" matches no shot; closest: s01, s02, s03\n');
    expect(ws.sim.ledger.creates).toHaveLength(0);
  });
});

describe("the estimate", () => {
  it("plan prints each job's and the total, labelled as from public default prices", async () => {
    const ws = await useWorkspace({}, manifestText(4));
    const plan = await runCli(["plan", ws.manifest, "--except", "s04"], { cwd: ws.dir });
    expect(plan.stdout).toMatch(/^s01 .* about 3\.4 /m);
    expect(plan.stdout).toContain("estimate: about 10.3 credits for 3 jobs, from public default prices (accounts may pay other prices)\n");
  });

  it("run says it before the first create, and that it exceeds the account's balance", async () => {
    const ws = await useWorkspace({ creditQuota: 10 }, manifestText(4));
    const run = await ws.run(["--json"]).result;
    const lines = run.stdout.split("\n");
    const estimate = lines.findIndex((l) => l.includes("estimate: about 13.8 credits for 4 jobs"));
    const balance = lines.findIndex((l) => l.includes("exceeds the account's balance of 10 credits"));
    const firstCreate = lines.findIndex((l) => l.includes('"to":"submitting"'));
    expect([estimate >= 0, balance > estimate, firstCreate > balance]).toEqual([true, true, true]);
  });
});
