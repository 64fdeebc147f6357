/** downloadFile against the project's EvoLink simulator (src/sim): a cut-off download resumed with Range. */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createApiClient, type Task } from "../../src/api/index.js";
import { DownloadError, downloadFile } from "../../src/download/index.js";
import { startSimulator } from "../../src/sim/index.js";

describe("downloading from the simulator", () => {
  it("keeps a truncated download's part and resumes it with Range to the right hash", async () => {
    const sim = await startSimulator({ genTimeMs: 100, jitterMs: 0, resultBytes: 2 * 1024 * 1024 });
    const client = createApiClient({ baseUrl: sim.url, apiKey: sim.apiKey });
    const dir = await mkdtemp(join(tmpdir(), "shotlist-sim-download-"));
    onTestFinished(async () => {
      await client.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    });
    const created = await client.createTask(
      { model: "seedance-1.5-pro", prompt: "waves at dusk", duration: 5, quality: "480p", aspect_ratio: "16:9", generate_audio: false },
      { idempotencyKey: "sim-download-key-01" },
    );
    let task: Task = created;
    while (task.status !== "completed") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      task = await client.getTask(created.id);
    }
    const url = task.results?.[0] ?? expect.fail("a completed task has a result URL");
    const dest = join(dir, "take-01.mp4");

    sim.setFaults({ truncateRate: 1 });
    const err = await downloadFile({ url, dest }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).kind).toBe("transient");
    const kept = (await stat(`${dest}.part`)).size;
    expect(kept).toBeGreaterThan(0);

    sim.setFaults({ truncateRate: 0 });
    const saved = await downloadFile({ url, dest });
    expect(saved).toEqual({ bytes: 2 * 1024 * 1024, sha256: sim.expectedSha256(created.id), resumedFrom: kept });
    expect(sim.ledger.downloads.at(-1)).toMatchObject({ ranged: true, status: 206, range: { start: kept } });
    expect((await readFile(dest)).length).toBe(2 * 1024 * 1024);
  });
});
