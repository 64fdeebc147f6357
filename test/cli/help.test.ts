import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";

beforeAll(ensureBuilt, 120_000);

describe("shotlist <command> --help", () => {
  it("lists each option of run with its default, aligned", async () => {
    const result = await runCli(["run", "--help"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("  --download-concurrency N  clips downloading at once [default: 4]");
    expect(lines).toContain("  --poll-interval S         seconds between polls of a task [default: 5 (1 with --sim)]");
    expect(lines).toContain("  --verify                  hash every finished clip on resume (default: size check)");
  });

  it("ends the simulator's options with the prompt markers it understands", async () => {
    const result = await runCli(["sim", "--help"]);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("Prompt markers: [policy] [transient] [transient:N] [never] [fail:<code>]");
  });
});
