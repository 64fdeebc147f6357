/** --retry-failed with a class: a policy failure is not resent by accident; the bare flag keeps its meaning (every failure). */
import { describe, expect, it } from "vitest";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

describe("run --retry-failed[=CLASS]", () => {
  it("=transient leaves a content-policy failure alone; the bare flag sends it again", async () => {
    const ws = await useWorkspace({}, manifestText(2, { 1: "[policy] a forbidden scene" }));
    expect((await ws.run().result).code).toBe(1);
    const first = ws.sim.ledger.creates.length;

    expect((await ws.run(["--retry-failed=transient"]).result).code).toBe(1);
    expect(ws.sim.ledger.creates).toHaveLength(first);

    expect((await ws.run(["--retry-failed"]).result).code).toBe(1);
    expect(ws.sim.ledger.creates).toHaveLength(first + 1);
  });

  it("refuses a class it does not know, naming the ones it does", async () => {
    const ws = await useWorkspace();
    const { code, stderr } = await ws.run(["--retry-failed=flaky"]).result;
    expect(code).toBe(2);
    expect(stderr).toContain('--retry-failed expects one of all, transient, policy, invalid, timeout, download, disk, account, unknown, got "flaky"');
  });
});
