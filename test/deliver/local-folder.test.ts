import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createLocalFolder, type ClipDelivery } from "../../src/deliver/index.js";
import type { JobRow } from "../../src/model/index.js";
import { makeJobRow } from "../helpers/job-rows.js";
import { recordingDisk } from "../helpers/recording-disk.js";
import { fakeMp4 } from "../helpers/mp4-bytes.js";
import { useScriptedServer, type ScriptedServer } from "../helpers/scripted-server.js";

const FILE = fakeMp4(50_000);
const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");
const job = makeJobRow({ key: "k1", shot_id: "s01", take: 1, state: "completed", task_id: "task-1" });

let root: string;
let server: ScriptedServer;
let gets: () => number;
let folder: ClipDelivery;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "shotlist-local-folder-"));
  folder = createLocalFolder({ root, now: () => 5_000 });
  server = await useScriptedServer();
  server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-type": "video/mp4", "content-length": FILE.length }).end(FILE));
  gets = () => server.requests.filter((r) => r.method === "GET").length;
  return async () => {
    await folder.close();
    await rm(root, { recursive: true, force: true });
  };
});

const save = (row = job) => folder.save(row, `${server.url}/clip.mp4`, new AbortController().signal);

/** Another version of the shot (an edit of its prompt), whose render has FILE's size but not its bytes. */
const OTHER = fakeMp4(FILE.length);
const edit = makeJobRow({ ...job, key: "k2", task_id: "task-2" });

/** Saves the edit's render over the clip of `row`, as a run of the edited manifest does. */
async function saveEdit(): Promise<void> {
  server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-type": "video/mp4", "content-length": OTHER.length }).end(OTHER));
  await save(edit);
}

/** Renames the saved clip and sidecar to the names the layout before shot-named clips used. */
async function moveToLegacyNames(): Promise<void> {
  for (const ext of ["json", "mp4"]) await rename(join(root, "s01", `s01_take-01.${ext}`), join(root, "s01", `take-01.${ext}`));
}

/** The row of `row`'s job once its clip is saved, as the runner records it. */
async function savedRow(row = job): Promise<JobRow> {
  const saved = await save(row);
  return { ...row, state: "done", output_path: saved.outputPath, bytes: saved.bytes, sha256: saved.sha256 };
}

describe("saving a clip to the local folder", () => {
  it("saves the clip and a sidecar that describes it", async () => {
    const saved = await save();
    expect(saved).toMatchObject({ outputPath: join("s01", "s01_take-01.mp4"), bytes: FILE.length, sha256: sha256(FILE) });
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
    const sidecar = JSON.parse(await readFile(join(root, "s01", "s01_take-01.json"), "utf8")) as Record<string, unknown>;
    expect(sidecar).toMatchObject({ key: "k1", task_id: "task-1", bytes: FILE.length, sha256: sha256(FILE) });
  });

  // Renamed before its bytes reach the disk, a sidecar can come back from a power cut empty; the
  // clip beside it then has no sidecar that parses, and the next run moves it to history/.
  it("puts the sidecar's bytes and name on disk before the clip takes its name", async () => {
    const disk = recordingDisk();
    const watched = createLocalFolder({ root, now: () => 5_000, disk });
    try {
      await watched.save(job, `${server.url}/clip.mp4`, new AbortController().signal);
    } finally {
      await watched.close();
    }
    const tmp = `s01_take-01.json.${process.pid}.tmp`;
    expect(disk.steps).toEqual([
      expect.stringMatching(/^fsync s01_take-01\.mp4\..+\.part$/),
      `fsync ${tmp}`,
      `rename ${tmp} -> s01_take-01.json`,
      "sync-dir s01",
      expect.stringMatching(/^rename s01_take-01\.mp4\..+\.part -> s01_take-01\.mp4$/),
      "sync-dir s01",
    ]);
  });

  // The chaos test found it: killed between the clip's rename and the sidecar's write, the next
  // run found a clip with no sidecar, took it for an earlier version and moved it to history/.
  it("does not give the clip its final name until its sidecar is written", async () => {
    // A directory where the sidecar goes makes writing it fail, as a crash at that moment would stop it.
    await mkdir(join(root, "s01", "s01_take-01.json"), { recursive: true });
    await expect(save()).rejects.toThrow();
    expect(existsSync(join(root, "s01", "s01_take-01.mp4"))).toBe(false);
    expect((await readdir(join(root, "s01"))).filter((f) => f.endsWith(".part"))).toHaveLength(1);
    // Once the sidecar can be written, the complete part is kept: no earlier version, no history.
    await rm(join(root, "s01", "s01_take-01.json"), { recursive: true });
    await save();
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
    expect(gets()).toBeGreaterThanOrEqual(2);
  });

  // Content-Length and body both half the clip: HTTP saw a whole answer, the clip's boxes say otherwise.
  it("leaves neither clip, sidecar nor part for a clip cut short, and keeps an earlier saved one where it is", async () => {
    await save();
    const half = FILE.subarray(0, FILE.length / 2);
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(200, { "content-type": "video/mp4", "content-length": half.length }).end(half));
    await expect(save({ ...job, task_id: "task-2" })).rejects.toMatchObject({ kind: "corrupt" });
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
    expect(JSON.parse(await readFile(join(root, "s01", "s01_take-01.json"), "utf8"))).toMatchObject({ task_id: "task-1" });
  });

  // Killed after the clip took its name and before the state said done: the next run saves it again.
  // The clip is whole and described by its sidecar; fetching it again wastes the transfer, and fails
  // outright once the 24-hour URL has died.
  it("keeps a clip this task already saved in full, without fetching it again", async () => {
    const first = await save();
    server.route("GET /clip.mp4", (_req, res) => res.writeHead(403).end());
    const again = await save();
    expect(again).toMatchObject({ outputPath: first.outputPath, bytes: FILE.length, sha256: sha256(FILE) });
    expect(gets()).toBe(1);
  });

  it("fetches again a clip that was changed since, or belongs to another task", async () => {
    await save();
    await save({ ...job, task_id: "task-2" });
    expect(gets()).toBe(2);
    const damaged = Buffer.from(FILE);
    damaged[1000] = (damaged[1000] ?? 0) ^ 0xff;
    await writeFile(join(root, "s01", "s01_take-01.mp4"), damaged);
    await save({ ...job, task_id: "task-2" });
    expect(gets()).toBe(3);
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
  });

  // The chaos test found it: a run killed while writing a sidecar leaves its temporary file, and nothing removed it.
  it("removes the temporary sidecar a killed run left", async () => {
    await mkdir(join(root, "s01"), { recursive: true });
    await writeFile(join(root, "s01", "s01_take-01.json.99999.tmp"), '{"key":');
    await save();
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
  });

  // A part is resumed with Range: the first bytes must be the same file's. The part of a task whose
  // URL died (rendered again with --rerender-expired), or of an earlier version of an edited shot,
  // resumed from the new task's URL would splice two clips into one file with a valid length.
  it("never resumes the part another task left at the same path", async () => {
    const other = fakeMp4(FILE.length);
    server.route("GET /clip.mp4", (_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "content-length": other.length });
      res.write(other.subarray(0, 20_000), () => res.destroy());
    });
    await expect(save({ ...job, task_id: "task-old" })).rejects.toThrow();
    expect((await readdir(join(root, "s01"))).some((f) => f.endsWith(".part"))).toBe(true);

    server.route("GET /clip.mp4", (req, res) => {
      const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? "")?.[1] ?? 0);
      const headers = { "content-type": "video/mp4", "content-length": FILE.length - from };
      if (from === 0) res.writeHead(200, headers).end(FILE);
      else res.writeHead(206, { ...headers, "content-range": `bytes ${from}-${FILE.length - 1}/${FILE.length}` }).end(FILE.subarray(from));
    });
    const saved = await save({ ...job, task_id: "task-new" });
    expect(saved.sha256).toBe(sha256(FILE));
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
    // The other task's part is of no use any more.
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
  });

  it("adopts a clip that a run before shot-named clips saved as take-01.mp4, without fetching it again", async () => {
    await save();
    const fetched = gets();
    await moveToLegacyNames();
    const saved = await save();
    expect(saved.resumedFrom).toBe(FILE.length);
    expect(gets()).toBe(fetched);
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
  });

  it("moves another version's clip saved under the old name to history, under today's name", async () => {
    await save();
    await moveToLegacyNames();
    const saved = await save({ ...job, key: "k2", task_id: "task-2" });
    expect(saved.movedToHistory).toBe(join("s01", "history", "s01_take-01.k1.mp4"));
    expect(await readdir(join(root, "s01"))).toEqual(["history", "s01_take-01.json", "s01_take-01.mp4"]);
  });

  it("moves a clip of another version of the shot, with its sidecar, to history", async () => {
    await save();
    const saved = await save({ ...job, key: "k2", task_id: "task-2" });
    expect(saved.movedToHistory).toBe(join("s01", "history", "s01_take-01.k1.mp4"));
    expect(await readdir(join(root, "s01", "history"))).toEqual(["s01_take-01.k1.json", "s01_take-01.k1.mp4"]);
  });

  // Killed between moving an earlier clip to history/ and moving its sidecar, a run left the old
  // sidecar in place; the new clip's sidecar would have overwritten it.
  it("sends to history the sidecar an interrupted move left behind its clip", async () => {
    await save();
    await mkdir(join(root, "s01", "history"));
    await rename(join(root, "s01", "s01_take-01.mp4"), join(root, "s01", "history", "s01_take-01.k1.mp4"));
    await save({ ...job, key: "k2", task_id: "task-2" });
    expect(await readdir(join(root, "s01", "history"))).toEqual(["s01_take-01.k1.json", "s01_take-01.k1.mp4"]);
    expect(JSON.parse(await readFile(join(root, "s01", "s01_take-01.json"), "utf8"))).toMatchObject({ key: "k2" });
  });

  // Earlier versions kept the part as s01_take-01.mp4.part with its task in s01_take-01.mp4.part.task.
  it("removes a part left under the name earlier versions used", async () => {
    await mkdir(join(root, "s01"), { recursive: true });
    await writeFile(join(root, "s01", "s01_take-01.mp4.part"), FILE.subarray(0, 1000));
    await writeFile(join(root, "s01", "s01_take-01.mp4.part.task"), "task-1");
    await save();
    expect(await readdir(join(root, "s01"))).toEqual(["s01_take-01.json", "s01_take-01.mp4"]);
  });
});

describe("checking a saved clip", () => {
  it("finds a clip that is there with the size recorded", async () => {
    const row = await savedRow();
    expect(await folder.check(row, { verify: false })).toBe(true);
    expect(await folder.check(row, { verify: true })).toBe(true);
  });

  it("misses a clip that is gone, or was never recorded", async () => {
    const row = await savedRow();
    await rm(join(root, "s01", "s01_take-01.mp4"));
    expect(await folder.check(row, { verify: false })).toBe(false);
    expect(await folder.check({ ...row, output_path: null }, { verify: false })).toBe(false);
  });

  it("misses a clip whose size changed, without hashing it", async () => {
    const row = await savedRow();
    await writeFile(join(root, "s01", "s01_take-01.mp4"), FILE.subarray(0, 1000));
    expect(await folder.check(row, { verify: false })).toBe(false);
  });

  // A reverted edit: the row of the first prompt says done, and the clip at its path is the edit's render.
  it("misses a clip of another version of the shot with the same size, without hashing it", async () => {
    const row = await savedRow();
    await saveEdit();
    expect((await readFile(join(root, "s01", "s01_take-01.mp4"))).length).toBe(row.bytes);
    expect(await folder.check(row, { verify: false })).toBe(false);
  });

  it("misses a clip whose sidecar is gone, since nothing says whose it is", async () => {
    const row = await savedRow();
    await rm(join(root, "s01", "s01_take-01.json"));
    expect(await folder.check(row, { verify: false })).toBe(false);
  });

  // A changed byte keeps the size: only the hash tells, and hashing every clip is what --verify asks for.
  it("misses a clip changed in place only when asked to verify", async () => {
    const row = await savedRow();
    const damaged = Buffer.from(FILE);
    damaged[1000] = (damaged[1000] ?? 0) ^ 0xff;
    await writeFile(join(root, "s01", "s01_take-01.mp4"), damaged);
    expect(await folder.check(row, { verify: false })).toBe(true);
    expect(await folder.check(row, { verify: true })).toBe(false);
  });
});

describe("restoring a clip from history", () => {
  it("puts back the clip an edit moved to history, and keeps the edit's in its place", async () => {
    const row = await savedRow();
    await saveEdit();

    expect(await folder.restore(row)).toEqual({
      from: join("s01", "history", "s01_take-01.k1.mp4"),
      movedToHistory: join("s01", "history", "s01_take-01.k2.mp4"),
    });

    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
    expect(JSON.parse(await readFile(join(root, "s01", "s01_take-01.json"), "utf8"))).toMatchObject({ key: "k1", task_id: "task-1" });
    expect(await readdir(join(root, "s01", "history"))).toEqual(["s01_take-01.k2.json", "s01_take-01.k2.mp4"]);
    expect(await readFile(join(root, "s01", "history", "s01_take-01.k2.mp4"))).toEqual(OTHER);
    expect(await folder.check(row, { verify: true })).toBe(true);
  });

  it("puts back a kept clip whose place is empty", async () => {
    const row = await savedRow();
    await saveEdit();
    await rm(join(root, "s01", "s01_take-01.mp4"));
    await rm(join(root, "s01", "s01_take-01.json"));

    expect(await folder.restore(row)).toEqual({ from: join("s01", "history", "s01_take-01.k1.mp4") });
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(FILE);
  });

  it("restores nothing, and moves nothing, when the kept clip is not the one the row recorded", async () => {
    const row = await savedRow();
    await saveEdit();
    const kept = join(root, "s01", "history", "s01_take-01.k1.mp4");
    const damaged = Buffer.from(FILE);
    damaged[1000] = (damaged[1000] ?? 0) ^ 0xff;
    await writeFile(kept, damaged);

    expect(await folder.restore(row)).toBeUndefined();
    expect(await folder.restore({ ...row, bytes: FILE.length + 1 })).toBeUndefined();
    expect(await readFile(join(root, "s01", "s01_take-01.mp4"))).toEqual(OTHER);
    expect(await readdir(join(root, "s01", "history"))).toEqual(["s01_take-01.k1.json", "s01_take-01.k1.mp4"]);
  });

  it("restores nothing when history holds no clip of the job", async () => {
    const row = await savedRow();
    await rm(join(root, "s01", "s01_take-01.mp4"));
    expect(await folder.restore(row)).toBeUndefined();
    expect(await folder.restore({ ...row, output_path: null })).toBeUndefined();
  });

  // A clip without its sidecar is taken for another version's: like a save, a restore puts the sidecar on disk first.
  it("puts the sidecar back, durably, before the clip", async () => {
    const row = await savedRow();
    await saveEdit();
    const disk = recordingDisk();
    const watched = createLocalFolder({ root, now: () => 5_000, disk });
    try {
      await watched.restore(row);
    } finally {
      await watched.close();
    }
    expect(disk.steps.slice(0, 3)).toEqual(["rename s01_take-01.k1.json -> s01_take-01.json", "sync-dir s01", "rename s01_take-01.k1.mp4 -> s01_take-01.mp4"]);
    // The two folders' last syncs run side by side: either may finish first.
    expect(disk.steps.slice(3).sort()).toEqual(["sync-dir history", "sync-dir s01"]);
  });

  // The sidecar goes back first, as a save writes it: a run killed before the clip follows leaves the
  // job's sidecar in place and its clip in history/.
  it("finishes a restore that was killed between putting back the sidecar and the clip", async () => {
    const row = await savedRow();
    await saveEdit();
    const shot = join(root, "s01");
    await rename(join(shot, "s01_take-01.mp4"), join(shot, "history", "s01_take-01.k2.mp4"));
    await rename(join(shot, "s01_take-01.json"), join(shot, "history", "s01_take-01.k2.json"));
    await rename(join(shot, "history", "s01_take-01.k1.json"), join(shot, "s01_take-01.json"));

    expect(await folder.restore(row)).toEqual({ from: join("s01", "history", "s01_take-01.k1.mp4") });
    expect(await readdir(shot)).toEqual(["history", "s01_take-01.json", "s01_take-01.mp4"]);
    expect(await folder.check(row, { verify: true })).toBe(true);
  });
});

describe("locating a clip", () => {
  it("places it by shot and take, under its profile when it has one", () => {
    expect(folder.locate({ profile: "", shot_id: "s01", take: 3 })).toBe(join("s01", "s01_take-03.mp4"));
    expect(folder.locate({ profile: "draft", shot_id: "s01", take: 12 })).toBe(join("draft", "s01", "s01_take-12.mp4"));
  });
});
