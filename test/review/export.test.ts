import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clipRelativePath } from "../../src/deliver/local/layout.js";
import type { JobRow } from "../../src/model/rows.js";
import { chooseSelects, exportSelects, type ApprovedShot } from "../../src/review/export.js";
import { makeRequest } from "../helpers/fixtures.js";
import { makeJobRow } from "../helpers/job-rows.js";

/** Take `take` of `shot`: done with its clip where the layout puts it, unless another state is given. */
function take(shot: string, n: number, overrides: Partial<JobRow> = {}): JobRow {
  const row = makeJobRow({ shot_id: shot, take: n, key: `${shot}-${n}`, state: "done", ...overrides });
  return { ...row, output_path: row.state === "done" ? clipRelativePath(row) : null };
}

const shot = (shotId: string, rows: JobRow[], chosenTake?: number): ApprovedShot => ({ shotId, rows, ...(chosenTake === undefined ? {} : { chosenTake }) });

describe("choosing the selects", () => {
  it("takes the chosen take where one was picked, else the first done take, numbered in the order given", () => {
    const { selects, missing } = chooseSelects([
      shot("s01", [take("s01", 1), take("s01", 2)], 2),
      shot("s02", [take("s02", 1, { state: "failed" }), take("s02", 2)]),
    ]);
    expect(selects.map((s) => [s.file, s.shot, s.take, s.source])).toEqual([
      ["01-s01.mp4", "s01", 2, clipRelativePath({ profile: "", shot_id: "s01", take: 2 })],
      ["02-s02.mp4", "s02", 2, clipRelativePath({ profile: "", shot_id: "s02", take: 2 })],
    ]);
    expect(missing).toEqual([]);
  });

  it("reports a chosen take with no clip instead of exporting another take, and a shot with no done take", () => {
    const { selects, missing } = chooseSelects([shot("s01", [take("s01", 1), take("s01", 2, { state: "generating" })], 2), shot("s02", [])]);
    expect(selects).toEqual([]);
    expect(missing).toEqual([
      { shot: "s01", reason: "its chosen take 2 is not done" },
      { shot: "s02", reason: "no take of it is done" },
    ]);
  });

  it("numbers with three digits past 99 selects", () => {
    const { selects } = chooseSelects(Array.from({ length: 100 }, (_, i) => shot(`s${i}`, [take(`s${i}`, 1)])));
    expect([selects[0]?.file, selects[99]?.file]).toEqual(["001-s0.mp4", "100-s99.mp4"]);
  });
});

describe("writing the selects", () => {
  let dir: string;
  let batch: string;
  let to: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "shotlist-export-"));
    batch = join(dir, "out", "trailer");
    to = join(dir, "selects");
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Done rows of `shots` (take 1 each, with `prompt`s), their clips on disk holding `clip <shot>`. */
  async function doneShots(shots: Record<string, string>): Promise<ApprovedShot[]> {
    return Promise.all(
      Object.entries(shots).map(async ([id, prompt]) => {
        const row = take(id, 1, { request_json: JSON.stringify(makeRequest({ prompt, duration: 6 })) });
        await mkdir(join(batch, id), { recursive: true });
        await writeFile(join(batch, row.output_path as string), `clip ${id}`);
        return shot(id, [row]);
      }),
    );
  }
  const context = { batch: "trailer", profile: null, unapproved: [{ shot: "s09", reason: "rejected" }], tools: undefined };

  it("hard-links each clip into the folder and lists it in selects.json and selects.csv", async () => {
    const { selects } = chooseSelects(await doneShots({ s01: "A lighthouse", s02: 'A "quoted", two-line\nprompt' }));
    const result = await exportSelects(batch, to, selects, context);
    expect(result.linked).toBe(2);
    const [source, exported] = await Promise.all([stat(join(batch, selects[0]?.source as string)), stat(join(to, "01-s01.mp4"))]);
    expect(exported.ino).toBe(source.ino);
    const json = JSON.parse(await readFile(join(to, "selects.json"), "utf8")) as Record<string, unknown>;
    expect(json).toMatchObject({ version: 1, batch: "trailer", profile: null, batch_folder: batch, not_exported: [{ shot: "s09", reason: "rejected" }] });
    expect(json.selects).toEqual([
      {
        file: "01-s01.mp4",
        shot: "s01",
        take: 1,
        source: selects[0]?.source,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        duration: 6,
        prompt: "A lighthouse",
      },
      expect.objectContaining({ file: "02-s02.mp4", prompt: 'A "quoted", two-line\nprompt' }),
    ]);
    const csv = await readFile(join(to, "selects.csv"), "utf8");
    expect(csv.split("\r\n")[0]).toBe("file,shot,take,source,sha256,duration,prompt");
    expect(csv).toContain(`,6,"A ""quoted"", two-line\nprompt"\r\n`);
  });

  it("removes the clips an earlier export listed that this one does not, and leaves other files alone", async () => {
    const shots = await doneShots({ s01: "one", s02: "two" });
    await exportSelects(batch, to, chooseSelects(shots).selects, context);
    await writeFile(join(to, "notes.txt"), "mine");
    await exportSelects(batch, to, chooseSelects(shots.slice(1)).selects, context);
    expect((await readdir(to)).sort()).toEqual(["01-s02.mp4", "notes.txt", "selects.csv", "selects.json"]);
  });
});
