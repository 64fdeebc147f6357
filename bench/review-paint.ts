/**
 * The review gallery of a large batch: 100 shots x 5 takes rendered against
 * the simulator, served by the review server, opened in the system's
 * Chromium. The figure is from the request for GET / to the last shot laid
 * out (server reading the state file, rendering 500 takes, browser layout),
 * the median of three fresh loads. A figure, not a test: the target is a second.
 */
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { serveReview } from "../src/app/review.js";
import { startSimulator } from "../src/sim/index.js";
import { HAVE_CHROMIUM, openBrowser } from "../test/helpers/browser.js";
import { CLI, type Figure, type RowProducer } from "./lib.js";
import type { Scale } from "./scenarios.js";

const SHOTS = 100;
const TAKES = 5;
const LOADS = 3;

async function paint500(scale: Scale): Promise<{ figures: Figure[]; raw: unknown }> {
  if (!HAVE_CHROMIUM) return { figures: [], raw: { skipped: "no /usr/bin/chromium" } };
  const manifestPath = join(scale.dir, "review-paint.yaml");
  const shots = Array.from(
    { length: SHOTS },
    (_, i) => `  - { id: s${String(i + 1).padStart(3, "0")}, prompt: "bench shot ${i + 1}: rain on a window", takes: ${TAKES} }`,
  );
  await writeFile(
    manifestPath,
    ["version: 1", "name: review-paint", "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p }", "shots:", ...shots, ""].join("\n"),
  );
  const outDir = join(scale.dir, "review-paint-out");
  const sim = await startSimulator({ genTimeMs: 0, jitterMs: 0 });
  try {
    await promisify(execFile)(process.execPath, [CLI, "run", manifestPath, "--out", outDir, "--concurrency", "64", "--poll-interval", "0.05"], {
      env: { ...process.env, EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey },
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    await sim.close();
  }
  const server = await serveReview({ manifestPath, outDir, onError: (err) => process.stderr.write(`review server: ${err.message}\n`) });
  const browser = await openBrowser();
  const paints: number[] = [];
  try {
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.context.newPage();
      // From the request to the last of the 100 shots laid out: "load" and "domcontentloaded" wait for 500 videos' metadata too.
      const started = performance.now();
      await page.goto(server.url, { waitUntil: "commit" });
      await page.locator("section.shot").last().waitFor({ state: "visible", timeout: 60_000 });
      paints.push(performance.now() - started);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const median = [...paints].sort((a, b) => a - b)[Math.floor(LOADS / 2)] ?? Number.NaN;
  return {
    figures: [
      {
        section: "7 (review)",
        name: `the gallery's page on screen, request to last shot laid out, ${SHOTS * TAKES} takes (median of ${LOADS} loads)`,
        value: median,
        unit: "ms",
        target: "< 1000 ms",
        pass: median < 1000,
      },
    ],
    raw: { paintsMs: paints },
  };
}

export const reviewPaint: RowProducer = { name: "review-paint", run: paint500 };
