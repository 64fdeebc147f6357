import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, createFilesClient, type FilesClient } from "../../src/api/index.js";
import { pngBytes } from "../helpers/media-files.js";
import { simulators, type TestSim } from "./sim-client.js";

const start = simulators();
const HOUR = 3_600_000;
let dir: string | undefined;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function frame(name: string, seed: number): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), "shotlist-sim-uploads-"));
  const path = join(dir, name);
  await writeFile(path, pngBytes(32, 18, seed));
  return path;
}

function filesOf(sim: TestSim, apiKey = sim.apiKey): FilesClient {
  const files = createFilesClient({ baseUrl: sim.url, apiKey, now: sim.clock.now });
  closers.push(() => files.close());
  return files;
}

const upload = async (files: FilesClient, path: string) => files.upload({ path, name: "door.png", contentType: "image/png" });

describe("the simulator's files service", () => {
  it("takes a multipart upload, answers the envelope with a file_url that serves the same bytes, and counts it against the quota", async () => {
    const sim = await start({ fileQuota: 3 });
    const files = filesOf(sim);
    const path = await frame("door.png", 1);

    const uploaded = await upload(files, path);

    expect(uploaded.expiresAtMs).toBe(sim.clock.now() + 72 * HOUR);
    const served = Buffer.from(await (await fetch(uploaded.fileUrl)).arrayBuffer());
    expect(served.equals(pngBytes(32, 18, 1))).toBe(true);
    expect(sim.ledger.uploads[0]).toMatchObject({ route: "upload", status: 200, success: true, sha256: createHash("sha256").update(served).digest("hex") });
    expect(await files.quota()).toEqual({ usedFiles: 1, maxFiles: 3, remainFiles: 2 });
  });

  it("frees a quota slot when a file is deleted or expires on its clock", async () => {
    const sim = await start({ fileQuota: 2 });
    const files = filesOf(sim);
    const first = await upload(files, await frame("a.png", 1));
    await upload(files, await frame("b.png", 2));

    await files.remove(first.fileId);
    expect(await files.quota()).toMatchObject({ usedFiles: 1, remainFiles: 1 });
    sim.clock.advance(72 * HOUR);
    expect(await files.quota()).toMatchObject({ usedFiles: 0, remainFiles: 2 });
  });

  it("refuses an upload over a full quota under HTTP 200, with success false and the service's message", async () => {
    const sim = await start({ fileQuota: 1 });
    const files = filesOf(sim);
    await upload(files, await frame("a.png", 1));

    await expect(upload(files, await frame("b.png", 2))).rejects.toMatchObject({
      kind: "invalid",
      status: 200,
      apiMessage: "file quota exceeded: 1 of 1 files in use; delete some files first",
    });
  });

  it("refuses a file over its size limit", async () => {
    const sim = await start({ maxUploadBytes: 100 });
    await expect(upload(filesOf(sim), await frame("a.png", 1))).rejects.toMatchObject({ status: 200, apiCode: "413" });
  });

  it("answers success:false under 200 on the filesRefuseRate fault, read by the client as a retry-later error with the message", async () => {
    const sim = await start({ filesRefuseRate: 1 });
    const err = await upload(filesOf(sim), await frame("a.png", 1)).catch((e: unknown) => e);

    expect(err).toMatchObject({ kind: "transient", status: 200, apiMessage: "upload failed, please retry" });
    expect(String((err as Error).message)).toContain("upload failed, please retry");
  });

  it("answers 5xx and resets on the files route when faulted", async () => {
    const sim = await start({ rate5xx: 1, faultRoutes: ["files"] });
    await expect(filesOf(sim).quota()).rejects.toMatchObject({ kind: "transient" });
    sim.setFaults({ rate5xx: 0, resetBeforeRate: 1 });
    await expect(filesOf(sim).quota()).rejects.toMatchObject({ kind: "transient", status: undefined });
  });

  it("refuses a wrong key with 401 in the envelope: an auth error", async () => {
    const sim = await start();
    await expect(filesOf(sim, "sk-wrong").quota()).rejects.toMatchObject({ kind: "auth", status: 401 });
  });

  it("fails a task whose image is one of its files after it expired or was deleted, with image_processing_error; a live one renders", async () => {
    const sim = await start();
    const files = filesOf(sim);
    const api = createApiClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    closers.push(() => api.close());
    const live = await upload(files, await frame("a.png", 1));
    const deleted = await upload(files, await frame("b.png", 2));
    await files.remove(deleted.fileId);
    const request = (url: string, prompt: string) => ({
      model: "seedance-1.5-pro",
      prompt,
      duration: 5,
      quality: "480p",
      aspect_ratio: "16:9",
      generate_audio: false,
      image_urls: [url],
    });

    const ok = await api.createTask(request(live.fileUrl, "live frame"), { idempotencyKey: "shotlist-test-000001" });
    const gone = await api.createTask(request(deleted.fileUrl, "deleted frame"), { idempotencyKey: "shotlist-test-000002" });
    sim.clock.advance(72 * HOUR);
    const expired = await api.createTask(request(live.fileUrl, "expired frame"), { idempotencyKey: "shotlist-test-000003" });
    sim.clock.advance(1_000);

    expect((await api.getTask(ok.id)).status).toBe("completed");
    expect((await api.getTask(gone.id)).error?.code).toBe("image_processing_error");
    expect((await api.getTask(expired.id)).error?.code).toBe("image_processing_error");
  });
});
