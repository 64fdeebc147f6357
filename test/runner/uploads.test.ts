/**
 * The upload stage over real sockets: manifests with local frames on disk,
 * loaded as the CLI loads them, run against the simulator's files service.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Batch } from "../../src/manifest/job.js";
import { loadBatch } from "../../src/manifest/load.js";
import { RunnerEmitter } from "../../src/runner/emitter.js";
import type { Simulator } from "../../src/sim/index.js";
import { writePng } from "../helpers/media-files.js";
import { createsPerJob, startHarness, type Harness } from "./harness.js";

let harness: Harness;
afterEach(async () => harness?.close());

/** A manifest in the harness folder: one shot per entry, `frames` its local images (relative paths). */
async function manifestWith(shots: { id: string; frames: string[]; takes?: number }[]): Promise<string> {
  const lines = shots.map(({ id, frames, takes }) => {
    const images = frames.length === 1 ? `image: ${frames[0]}` : `first_frame: ${frames[0]}\n    last_frame: ${frames[1]}`;
    return `  - id: ${id}\n    prompt: "Shot ${id} in the rain"\n    ${images}${takes === undefined ? "" : `\n    takes: ${takes}`}`;
  });
  const path = join(harness.dir, "shots.yaml");
  await writeFile(
    path,
    ["version: 1", "name: uploads", "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p, generate_audio: false }", "shots:", ...lines, ""].join(
      "\n",
    ),
  );
  return path;
}

async function batchOf(path: string): Promise<Batch> {
  return (await loadBatch(path, {})).batch;
}

const uploadsOf = (sim: Simulator) => sim.ledger.uploads.filter((u) => u.route === "upload" && u.success === true);
const deletesOf = (sim: Simulator) => sim.ledger.uploads.filter((u) => u.route === "delete" && u.success === true);

/** The most files the key held at the service at once, from the ledger's uploads and deletes in order. */
function mostLive(sim: Simulator): number {
  let live = 0;
  let most = 0;
  for (const u of sim.ledger.uploads) {
    if (u.success !== true) continue;
    if (u.route === "upload") most = Math.max(most, ++live);
    if (u.route === "delete") live--;
  }
  return most;
}

describe("local files in a run", () => {
  it("uploads each distinct file once for every shot and take that names it, and sends its file_url in place of the path", async () => {
    harness = await startHarness();
    await writePng(join(harness.dir, "frames/door.png"), 1);
    await writePng(join(harness.dir, "frames/window.png"), 2);
    const batch = await batchOf(
      await manifestWith([
        { id: "s1", frames: ["frames/door.png"], takes: 2 },
        { id: "s2", frames: ["./frames/door.png", "frames/window.png"], takes: 2 },
        { id: "s3", frames: [join(harness.dir, "frames/window.png")] },
      ]),
    );

    const outcome = await harness.run(batch);

    expect(outcome.jobs.map((j) => j.state)).toEqual(Array(5).fill("done"));
    expect(uploadsOf(harness.sim)).toHaveLength(2);
    const sent = harness.sim.ledger.creates.flatMap((c) => (c.body as { image_urls: string[] }).image_urls);
    expect(sent).toHaveLength(7);
    expect(sent.every((url) => url.startsWith(`${harness.sim.url}/uploads/`))).toBe(true);
    expect(new Set(sent).size).toBe(2);
  });

  it("uploads nothing and creates nothing on a rerun of a finished batch", async () => {
    harness = await startHarness();
    await writePng(join(harness.dir, "door.png"), 1);
    const path = await manifestWith([{ id: "s1", frames: ["door.png"], takes: 2 }]);
    await harness.run(await batchOf(path));
    const before = { uploads: harness.sim.ledger.uploads.length, creates: harness.sim.ledger.creates.length };

    const outcome = await harness.run(await batchOf(path));

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done"]);
    expect({ uploads: harness.sim.ledger.uploads.length, creates: harness.sim.ledger.creates.length }).toEqual(before);
  });

  it("renders again exactly the shots whose image's pixels changed, uploading only that file", async () => {
    harness = await startHarness();
    await writePng(join(harness.dir, "door.png"), 1);
    await writePng(join(harness.dir, "window.png"), 2);
    const path = await manifestWith([
      { id: "s1", frames: ["door.png"] },
      { id: "s2", frames: ["window.png"] },
      { id: "s3", frames: ["door.png", "window.png"] },
    ]);
    const first = await harness.run(await batchOf(path), { keepUploads: true });
    await writePng(join(harness.dir, "window.png"), 3);
    const creates = harness.sim.ledger.creates.length;
    const uploads = uploadsOf(harness.sim).length;

    const second = await harness.run(await batchOf(path), { keepUploads: true });

    const keyOf = (jobs: typeof first.jobs, shot: string) => jobs.find((j) => j.shot_id === shot)?.key;
    expect(keyOf(second.jobs, "s1")).toBe(keyOf(first.jobs, "s1"));
    expect(keyOf(second.jobs, "s2")).not.toBe(keyOf(first.jobs, "s2"));
    expect(keyOf(second.jobs, "s3")).not.toBe(keyOf(first.jobs, "s3"));
    expect(harness.sim.ledger.creates.slice(creates).map((c) => (c.body as { prompt: string }).prompt)).toEqual(["Shot s2 in the rain", "Shot s3 in the rain"]);
    expect(uploadsOf(harness.sim).length - uploads).toBe(1);
  });

  it("uploads again, before the create that needs it, a file whose upload expires within the task timeout", async () => {
    // Files live 30 s here; a task may need its input for the retry window and the task timeout (70 s in the harness).
    harness = await startHarness({ fileTtlMs: 30_000 });
    await writePng(join(harness.dir, "door.png"), 1);
    await harness.run(await batchOf(await manifestWith([{ id: "s1", frames: ["door.png"] }])), { keepUploads: true });
    const [old] = uploadsOf(harness.sim);

    const outcome = await harness.run(await batchOf(await manifestWith([{ id: "s1", frames: ["door.png"], takes: 2 }])), { keepUploads: true });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done"]);
    expect(deletesOf(harness.sim).map((d) => d.fileId)).toEqual([old?.fileId]);
    const renewed = uploadsOf(harness.sim)[1];
    expect(renewed?.fileId).not.toBe(old?.fileId);
    expect((harness.sim.ledger.creates.at(-1)?.body as { image_urls: string[] }).image_urls[0]).toContain(`/uploads/${renewed?.fileId}/`);
  });

  it("never holds more files than the quota allows: jobs wait for the room deleted uploads make, and every upload is deleted at the end", async () => {
    harness = await startHarness({ fileQuota: 2 });
    const shots = [];
    for (let i = 1; i <= 5; i++) {
      await writePng(join(harness.dir, `f${i}.png`), i);
      shots.push({ id: `s${i}`, frames: [`f${i}.png`] });
    }
    const emitter = new RunnerEmitter();
    const notices: string[] = [];
    emitter.on("run:notice", ({ message }) => notices.push(message));

    const outcome = await harness.run(await batchOf(await manifestWith(shots)), {}, { emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(Array(5).fill("done"));
    expect(mostLive(harness.sim)).toBe(2);
    expect(uploadsOf(harness.sim)).toHaveLength(5);
    expect(deletesOf(harness.sim)).toHaveLength(5);
    expect([...createsPerJob(harness.sim).values()]).toEqual([1, 1, 1, 1, 1]);
    expect(notices).toContain(
      "the files quota is full: room for 2 more uploads at EvoLink, 3 local files wait for room, so 3 jobs are not sent until uploads no unfinished job needs are deleted (or files are deleted at the service)",
    );
    expect(harness.store().listUploads()).toEqual([]);
  });

  it("keeps the uploads with keepUploads, and a rerun of new takes reuses them without uploading", async () => {
    harness = await startHarness();
    await writePng(join(harness.dir, "door.png"), 1);
    await harness.run(await batchOf(await manifestWith([{ id: "s1", frames: ["door.png"] }])), { keepUploads: true });

    await harness.run(await batchOf(await manifestWith([{ id: "s1", frames: ["door.png"], takes: 3 }])));

    expect(uploadsOf(harness.sim)).toHaveLength(1);
    expect(harness.sim.ledger.creates).toHaveLength(3);
    expect(deletesOf(harness.sim)).toHaveLength(1);
  });

  it("reads success:false under HTTP 200 as an error carrying the service's message: the file's jobs are not sent, and nothing is created", async () => {
    harness = await startHarness({ filesRefuseRate: 1 });
    await writePng(join(harness.dir, "door.png"), 1);
    const emitter = new RunnerEmitter();
    const notices: string[] = [];
    emitter.on("run:notice", ({ message }) => notices.push(message));

    const outcome = await harness.run(await batchOf(await manifestWith([{ id: "s1", frames: ["door.png"] }])), { retryWindowMs: 300 }, { emitter });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["queued"]);
    expect(harness.sim.ledger.creates).toHaveLength(0);
    expect(
      notices.some((n) => n.includes("success false, code 500") && n.endsWith("upload failed, please retry; the jobs that use it are not sent this run")),
    ).toBe(true);
  });

  it("retries an upload through 5xx answers and resets until the service takes it", async () => {
    harness = await startHarness({ rate5xx: 0.5, resetBeforeRate: 0.2, faultRoutes: ["files"], seed: 7 });
    for (let i = 1; i <= 3; i++) await writePng(join(harness.dir, `f${i}.png`), i);
    const batch = await batchOf(await manifestWith([1, 2, 3].map((i) => ({ id: `s${i}`, frames: [`f${i}.png`] }))));

    const outcome = await harness.run(batch, { keepUploads: true });

    expect(outcome.jobs.map((j) => j.state)).toEqual(["done", "done", "done"]);
    expect(harness.sim.ledger.faults.filter((f) => f.route === "files").length).toBeGreaterThan(0);
    expect(new Set(uploadsOf(harness.sim).map((u) => u.sha256)).size).toBe(3);
  });
});
