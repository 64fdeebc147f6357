/**
 * A result served short but consistent: Content-Length is half the clip and
 * exactly that half arrives, so HTTP sees nothing wrong. The simulator's
 * `[short:N]` marker cuts the first N downloads of a task's result, `[short]`
 * every one. Only the clip's own structure can tell, and a clip that fails it
 * must never be saved as done.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeBatch, makeJob, makeRequest } from "../helpers/fixtures.js";
import { useRunner, useSim } from "./runner.js";

/** One shot whose prompt carries `marker`. */
function shotMarked(marker: string): ReturnType<typeof makeBatch> {
  return makeBatch(1, { jobs: [makeJob(1, { request: makeRequest({ prompt: `Shot 1: a lighthouse at dusk ${marker}` }) })] });
}

describe("a result cut to half of itself", () => {
  it("is fetched again when short once, and saved whole with the clip's sha256", async () => {
    const sim = await useSim();
    const runner = await useRunner(sim);
    const outcome = await runner.run(shotMarked("[short:1]"));

    const job = outcome.jobs[0]!;
    expect(job).toMatchObject({ state: "done", error_code: null });
    expect(job.sha256).toBe(sim.expectedSha256(job.task_id!));
    expect(sim.ledger.downloads.map((d) => d.fault)).toEqual(["short_body", null]);
    expect(sim.ledger.creates).toHaveLength(1);
    expect(readdirSync(join(runner.root, "s1")).sort()).toEqual(["s1_take-01.json", "s1_take-01.mp4"]);
  });

  it("fails the job as a corrupt result once the retry window is spent, leaving no clip under its name", async () => {
    const sim = await useSim();
    const runner = await useRunner(sim);
    const outcome = await runner.run(shotMarked("[short]"), { retryWindowMs: 1_000 });

    const job = outcome.jobs[0]!;
    expect(job).toMatchObject({ state: "failed", error_class: "download", error_code: "corrupt_result" });
    expect(job.error_message).toMatch(
      /^the clip from http:\/\/127\.0\.0\.1:\d+\/files\/task-[\w-]+\.mp4 is corrupt: it is cut short inside its mdat box: its boxes describe [\d,]+ bytes, [\d,]+ arrived$/,
    );
    expect(sim.ledger.downloads.length).toBeGreaterThan(1);
    expect(sim.ledger.downloads.every((d) => d.fault === "short_body")).toBe(true);
    expect(sim.ledger.creates).toHaveLength(1);
    expect(existsSync(join(runner.root, "s1", "s1_take-01.mp4"))).toBe(false);
    expect(existsSync(join(runner.root, "s1")) ? readdirSync(join(runner.root, "s1")) : []).toEqual([]);
  });
});
