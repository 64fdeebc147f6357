/**
 * The one JSON schema (src/report/json-schema.ts) as the built CLI writes it:
 * run --json events, status --json, validate --json, errors under --json,
 * report.json per profile, and status --exit-code.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, type ErrorJson, type StatusJson, type ValidateJson } from "../../src/report/json-schema.js";
import { runCli } from "../helpers/cli.js";
import { manifestText, useWorkspace } from "./e2e-helpers.js";

const WITH_DRAFT = manifestText(2).replace("shots:", "profiles:\n  draft: { quality: 480p }\nshots:");

describe("JSON output", () => {
  it("run --json: every line carries the schema version, and no profile is null", async () => {
    const ws = await useWorkspace();
    const { stdout, code } = await ws.run(["--json"]).result;
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { schema_version: number; event: string; profile?: string | null });
    expect(events.every((e) => e.schema_version === SCHEMA_VERSION)).toBe(true);
    expect(events.find((e) => e.event === "run:start")).toMatchObject({ batch: "e2e", profile: null, total: 3 });
  });

  it("status --json: the batch and its jobs as documented objects, not the database's rows", async () => {
    const ws = await useWorkspace();
    expect((await ws.run().result).code).toBe(0);
    const status = JSON.parse((await runCli(["status", ws.manifest, "--json"], { cwd: ws.dir })).stdout) as StatusJson;
    expect(status).toMatchObject({ schema_version: SCHEMA_VERSION, batch: "e2e", profile: null, not_started: 0, all_done: true });
    expect(status.credits_reserved).toBeGreaterThan(0);
    expect(status.counts.done).toBe(3);
    expect(Object.keys(status.jobs[0] ?? {}).sort()).toEqual(
      [
        "attempts",
        "bytes",
        "credits_reserved",
        "deliveries",
        "error_class",
        "error_code",
        "error_message",
        "key",
        "latency_ms",
        "output_path",
        "prompt_hash",
        "sha256",
        "shot",
        "state",
        "take",
        "task_id",
      ].sort(),
    );
  });

  it("validate --json: every problem as an object with file, line, column, shot and message; exit 2", async () => {
    const ws = await useWorkspace({}, manifestText(1).replace("    prompt:", "    duration: 99\n    prompt:"));
    const { stdout, code } = await runCli(["validate", "shots.yaml", "--json"], { cwd: ws.dir });
    expect(code).toBe(2);
    const result = JSON.parse(stdout) as ValidateJson;
    expect(result).toMatchObject({ schema_version: SCHEMA_VERSION, ok: false, batch: null, jobs: null });
    expect(result.problems).toEqual([
      { file: "shots.yaml", line: 7, column: 15, shot: "s01", severity: "error", message: expect.stringContaining("duration") as unknown },
    ]);
  });

  it("an error under --json is a JSON object on stdout as well as a line on stderr", async () => {
    const ws = await useWorkspace();
    const { stdout, stderr, code } = await runCli(["status", "missing.yaml", "--json"], { cwd: ws.dir });
    expect(code).toBe(2);
    expect(stderr).toBe("shotlist: missing.yaml: no such file\n");
    expect(JSON.parse(stdout) as ErrorJson).toEqual({
      schema_version: SCHEMA_VERSION,
      error: { code: "invalid_manifest", exit_code: 2, message: "missing.yaml: no such file", problems: [expect.objectContaining({ file: "missing.yaml" })] },
    });
  });

  it("a profile's report.json goes in its folder: a draft run leaves the final's report alone", async () => {
    const ws = await useWorkspace({}, WITH_DRAFT);
    expect((await ws.run().result).code).toBe(0);
    expect((await ws.run(["--profile", "draft"]).result).code).toBe(0);
    const final = JSON.parse(await readFile(join(ws.batchDir, "report.json"), "utf8")) as { schema_version: number; profile: string | null };
    const draft = JSON.parse(await readFile(join(ws.batchDir, "draft", "report.json"), "utf8")) as { profile: string | null };
    expect(final).toMatchObject({ schema_version: SCHEMA_VERSION, profile: null });
    expect(draft.profile).toBe("draft");
  });
});

describe("shotlist status for scripts", () => {
  it("says nothing has run for the manifest in the --out folder, naming no state file that does not exist", async () => {
    const ws = await useWorkspace();
    const { stdout, code } = await runCli(["status", ws.manifest], { cwd: ws.dir });
    expect(code).toBe(0);
    expect(stdout).toBe("nothing has run for this manifest in ./out yet (3 jobs to render)\n");
  });

  it("--exit-code exits 1 while jobs are not done, 0 once every one is", async () => {
    const ws = await useWorkspace();
    expect((await runCli(["status", ws.manifest, "--exit-code"], { cwd: ws.dir })).code).toBe(1);
    expect((await ws.run().result).code).toBe(0);
    expect((await runCli(["status", ws.manifest, "--exit-code"], { cwd: ws.dir })).code).toBe(0);
  });
});
