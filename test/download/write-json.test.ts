import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { writeJsonDurably } from "../../src/download/index.js";
import { recordingDisk } from "../helpers/recording-disk.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shotlist-write-json-"));
  return () => rm(dir, { recursive: true, force: true });
});

describe("writeJsonDurably", () => {
  // A rename can reach the disk before the bytes it names: after a power cut the file is there, empty.
  it("flushes the file before it takes its name, then flushes the folder", async () => {
    const disk = recordingDisk();
    await writeJsonDurably(join(dir, "note.json"), { a: 1 }, disk);
    const tmp = `note.json.${process.pid}.tmp`;
    expect(disk.steps).toEqual([`fsync ${tmp}`, `rename ${tmp} -> note.json`, `sync-dir ${basename(dir)}`]);
    expect(JSON.parse(await readFile(join(dir, "note.json"), "utf8"))).toEqual({ a: 1 });
  });

  it("leaves no temporary file when the target cannot be replaced", async () => {
    await mkdir(join(dir, "note.json"));
    await expect(writeJsonDurably(join(dir, "note.json"), { a: 1 })).rejects.toThrow();
    expect(await readdir(dir)).toEqual(["note.json"]);
  });
});
