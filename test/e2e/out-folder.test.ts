import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { useWorkspace } from "./e2e-helpers.js";

beforeAll(ensureBuilt, 120_000);

describe("an --out that cannot hold files", () => {
  // Node's recursive mkdir spins forever under /proc, deaf to SIGTERM: the run must refuse before it tries.
  it.runIf(process.platform === "linux")(
    "is refused at once under /proc, naming the path, exit 2",
    async () => {
      const ws = await useWorkspace();
      const { code, stderr } = await ws.run(["--out", "/proc/x"]).result;
      expect(code).toBe(2);
      expect(stderr).toBe(
        "shotlist: cannot create the output folder /proc/x/e2e: /proc is on the proc filesystem, which holds no files; choose a folder on a disk\n",
      );
      expect(ws.sim.ledger.creates).toHaveLength(0);
    },
    15_000,
  );

  it("is refused when a file stands where a folder must be, exit 2", async () => {
    const ws = await useWorkspace();
    const file = join(ws.dir, "notes.txt");
    await writeFile(file, "not a folder");
    const { code, stderr } = await ws.run(["--out", join(file, "out")]).result;
    expect(code).toBe(2);
    expect(stderr).toBe(`shotlist: cannot create the output folder ${join(file, "out", "e2e")}: ${file} is not a folder\n`);
  });
});
