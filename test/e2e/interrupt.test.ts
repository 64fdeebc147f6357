import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { waitForOutput } from "../helpers/cli.js";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

beforeAll(ensureBuilt, 120_000);

describe("an interrupted run", () => {
  it("says on Ctrl-C how many tasks it leaves rendering, billed, at the API", async () => {
    const ws = await useWorkspace({ genTimeMs: 60_000, jitterMs: 0 }, manifestText(4));
    const run = ws.run(["--json"]);
    await waitForOutput(run, /("to":"generating"[^\n]*\n[^]*){4}/);
    run.child.kill("SIGINT");
    const { code, stderr } = await run.result;
    expect(code).toBe(130);
    expect(stderr).toBe("interrupted: 4 tasks still rendering at the API (billed); rerun to collect them\n");
  });
});
