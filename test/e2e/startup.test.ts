/**
 * What a command loads at start-up: the AWS SDK alone costs about 0.45 s of
 * CPU and 25 MB, so it is loaded only by a run that delivers.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useWorkspace } from "./e2e-helpers.js";

const RECORDER = fileURLToPath(new URL("../helpers/record-loaded.mjs", import.meta.url));

/** The npm packages among the CommonJS modules a finished CLI had loaded. */
async function packagesLoaded(recorded: string): Promise<string[]> {
  const paths = JSON.parse(await readFile(recorded, "utf8")) as string[];
  const names = paths.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)].sort();
}

describe("start-up", () => {
  it("a run that delivers nowhere never loads the AWS SDK", async () => {
    const ws = await useWorkspace();
    const recorded = join(ws.dir, "loaded.json");
    const run = await ws.run([], { NODE_OPTIONS: `--import=${RECORDER}`, SHOTLIST_TEST_LOADED: recorded }).result;
    expect(run.code, run.stderr).toBe(0);
    const packages = await packagesLoaded(recorded);
    expect(packages).toContain("better-sqlite3");
    expect(packages.filter((p) => p.startsWith("@aws-sdk/") || p.startsWith("@smithy/"))).toEqual([]);
  });
});
