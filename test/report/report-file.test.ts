import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../../src/report/json-schema.js";
import { buildReport, writeReport } from "../../src/report/report-file.js";
import { summarize } from "../../src/report/summary.js";
import { makeDoneRow, makeJobRow } from "../helpers/job-rows.js";
import { recordingDisk } from "../helpers/recording-disk.js";

const rows = [
  makeDoneRow(1, 60_000),
  makeJobRow({ key: "p", shot_id: "s02", state: "failed", error_class: "policy", error_code: "content_policy_violation", error_message: "refused" }),
];
const summary = summarize(rows, { startedAtMs: Date.UTC(2026, 10, 23, 9), endedAtMs: Date.UTC(2026, 10, 23, 9, 5) });

describe("buildReport", () => {
  it("carries version, batch, times, summary and one entry per job", () => {
    const report = buildReport({ batch: "trailer", profile: "draft", jobs: rows, summary, interrupted: false });
    expect(report).toMatchObject({
      schema_version: 2,
      batch: "trailer",
      profile: "draft",
      started_at: "2026-11-23T09:00:00.000Z",
      ended_at: "2026-11-23T09:05:00.000Z",
      interrupted: false,
      summary,
    });
    expect(report.jobs[0]).toEqual({
      shot: "s01",
      take: 1,
      key: "job-1",
      state: "done",
      task_id: "task-1",
      attempts: 1,
      error_class: null,
      error_code: null,
      error_message: null,
      output_path: "s01_1.mp4",
      bytes: 1_000_000,
      sha256: "a".repeat(64),
      prompt_hash: "0".repeat(64),
      credits_reserved: 50,
      latency_ms: 60_000,
      deliveries: [],
    });
    expect(report.jobs[1]).toMatchObject({ shot: "s02", error_class: "policy", error_code: "content_policy_violation", error_message: "refused" });
  });

  it("writes no profile as null, whichever way it was spelled", () => {
    expect(buildReport({ batch: "b", profile: "", jobs: [], summary, interrupted: false }).profile).toBeNull();
    expect(buildReport({ batch: "b", profile: null, jobs: [], summary, interrupted: false }).profile).toBeNull();
  });
});

describe("writeReport", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "shotlist-report-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes parseable JSON with its version and leaves no temporary file", async () => {
    const path = join(dir, "report.json");
    await writeReport(path, buildReport({ batch: "trailer", profile: null, jobs: rows, summary, interrupted: true }));
    const parsed = JSON.parse(await readFile(path, "utf8")) as { schema_version: number; interrupted: boolean; jobs: unknown[] };
    expect(parsed.schema_version).toBe(SCHEMA_VERSION);
    expect(parsed.interrupted).toBe(true);
    expect(parsed.jobs).toHaveLength(2);
    expect(await readdir(dir)).toEqual(["report.json"]);
  });

  // The same writer as the clips' sidecars: flushed before its rename, so a power cut cannot leave it empty.
  it("goes through the durable JSON writer", async () => {
    const disk = recordingDisk();
    await writeReport(join(dir, "report.json"), buildReport({ batch: "b", profile: null, jobs: [], summary, interrupted: false }), disk);
    const tmp = `report.json.${process.pid}.tmp`;
    expect(disk.steps).toEqual([`fsync ${tmp}`, `rename ${tmp} -> report.json`, `sync-dir ${basename(dir)}`]);
  });

  it("replaces an earlier report whole", async () => {
    const path = join(dir, "report.json");
    await writeFile(path, "old and much longer content than the new report would ever leave behind ".repeat(200));
    await writeReport(path, buildReport({ batch: "b", profile: null, jobs: [], summary, interrupted: false }));
    expect(JSON.parse(await readFile(path, "utf8"))).toMatchObject({ schema_version: 2, batch: "b", jobs: [] });
  });

  // The chaos test found them: a run killed while writing its report leaves report.json.<pid>.tmp,
  // and no later write replaced it (each names its own pid).
  it("removes the temporary reports of dead runs, not of live ones", async () => {
    const path = join(dir, "report.json");
    const dead = "report.json.2147483646.tmp";
    const live = `report.json.${process.ppid}.tmp`;
    await writeFile(join(dir, dead), "{ half");
    await writeFile(join(dir, live), "{ being written");
    await writeReport(path, buildReport({ batch: "b", profile: null, jobs: [], summary, interrupted: false }));
    expect((await readdir(dir)).sort()).toEqual([live, "report.json"].sort());
  });

  it("leaves no temporary file when the target cannot be written", async () => {
    const path = join(dir, "missing-folder", "report.json");
    await expect(writeReport(path, buildReport({ batch: "b", profile: null, jobs: [], summary, interrupted: false }))).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });
});
