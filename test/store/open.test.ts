import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../../src/store/index.js";
import { JOB_COLUMNS } from "../../src/store/columns.js";
import { openDatabase } from "../../src/store/open-database.js";
import { makeBatch } from "../helpers/fixtures.js";
import { openTestStore, tempStatePath, withRawDatabase } from "./helpers.js";

describe("opening a state file", () => {
  it("creates the file, its folder and the whole schema from nothing", () => {
    const path = join(dirname(tempStatePath()), "nested", "deeper", "state.sqlite");
    openTestStore(path).close();

    withRawDatabase(path, (db) => {
      expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(["batches", "deliveries", "events", "jobs", "lock", "spend_runs", "uploads"]);
    });
  });

  it("gives the jobs table exactly the columns of JobRow", () => {
    const path = tempStatePath();
    openTestStore(path).close();

    const columns = withRawDatabase(path, (db) => db.prepare("SELECT name FROM pragma_table_info('jobs')").pluck().all());
    expect([...columns].sort()).toEqual([...JOB_COLUMNS].sort());
  });

  // Migrations are append only: a state file written before the batches table existed gains it, and keeps every job.
  it("brings a state file of the first schema up to date in place, keeping its jobs", () => {
    const path = tempStatePath();
    const old = openTestStore(path);
    old.syncJobs(makeBatch(2));
    old.close();
    // What the first schema left: no batches, deliveries nor spend_runs nor uploads table, user_version 1.
    withRawDatabase(path, (db) => {
      db.exec("DROP TABLE batches");
      db.exec("DROP TABLE deliveries");
      db.exec("DROP TABLE spend_runs");
      db.exec("DROP TABLE uploads");
      db.pragma("user_version = 1");
    });

    const store = openTestStore(path);
    expect(store.listJobs("trailer", "").map((j) => j.key)).toEqual(["job-1", "job-2"]);
    expect(store.recordRun({ batch: "trailer", profile: "", manifest_path: "a.yaml", manifest_resolved: "/a.yaml" })).toBeUndefined();
    expect(store.listUploads()).toEqual([]);
    withRawDatabase(path, (db) => expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION));
  });

  it("keeps its rows when opened again", () => {
    const path = tempStatePath();
    const store = openTestStore(path);
    store.syncJobs(makeBatch(3));
    store.close();

    const reopened = openTestStore(path);
    expect(reopened.listJobs("trailer", "").map((j) => j.key)).toEqual(["job-1", "job-2", "job-3"]);
  });

  it("runs in WAL mode with synchronous FULL and foreign keys on", () => {
    const db = openDatabase(tempStatePath());
    try {
      expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL
      expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
      expect(db.pragma("busy_timeout", { simple: true })).toBeGreaterThanOrEqual(1000);
    } finally {
      db.close();
    }
  });
});

describe("refusing a state file it cannot use", () => {
  it("refuses a file from a newer schema, naming the file and both versions, and leaves it as it was", () => {
    const path = tempStatePath();
    openTestStore(path).close();
    withRawDatabase(path, (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
    const before = readFileSync(path);

    expect(() => openTestStore(path)).toThrow(
      expect.objectContaining({
        code: "state_invalid",
        message: expect.stringMatching(new RegExp(`${escape(path)} has schema version ${SCHEMA_VERSION + 1}.*knows versions up to ${SCHEMA_VERSION}`)),
      }),
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it("refuses a file of garbage bytes and leaves it untouched", () => {
    const path = tempStatePath();
    const garbage = randomBytes(8192);
    writeFileSync(path, garbage);

    expect(() => openTestStore(path)).toThrow(
      expect.objectContaining({
        code: "state_invalid",
        message: expect.stringMatching(new RegExp(`${escape(path)} is not a usable SQLite database.*left untouched`)),
      }),
    );
    expect(readFileSync(path)).toEqual(garbage);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("refuses a database whose pages were damaged", () => {
    const path = tempStatePath();
    const store = openTestStore(path);
    store.syncJobs(makeBatch(200));
    store.close(); // checkpoints the WAL: every row is now in the main file
    const bytes = readFileSync(path);
    // Keep the header page, scribble over the rest: the tables' pages.
    randomBytes(bytes.length - 4096).copy(bytes, 4096);
    writeFileSync(path, bytes);

    expect(() => openTestStore(path)).toThrow(expect.objectContaining({ code: "state_invalid" }));
    expect(readFileSync(path)).toEqual(bytes);
  });

  it("refuses another program's SQLite database instead of migrating into it", () => {
    const path = tempStatePath();
    withRawDatabase(path, (db) => db.exec("CREATE TABLE notes (body TEXT)"));

    expect(() => openTestStore(path)).toThrow(
      expect.objectContaining({ code: "state_invalid", message: expect.stringContaining("not a shotlist state file") }),
    );
    withRawDatabase(path, (db) => expect(db.pragma("user_version", { simple: true })).toBe(0));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
