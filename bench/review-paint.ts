/**
 * The review gallery of a large batch: 100 shots x 5 takes rendered against
 * the simulator, served by `shotlist review` (the built CLI, in its own
 * process, as a user runs it), opened in the system's Chromium. The figure is
 * the page's own clock from the start of the navigation to the page on
 * screen: the last shot laid out (server reading the state file and
 * rendering 500 takes, HTML over loopback, browser layout) and every take in
 * the first screen showing its frame (a poster loaded, or a video's first
 * frame). The median of three fresh loads, twice: when the gallery is first
 * opened (ffmpeg making the 500 posters beside it) and once they are cached.
 * A figure, not a test: the target is a second.
 */
import { execFile, spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { BrowserContext } from "playwright-core";
import { startSimulator } from "../src/sim/index.js";
import { HAVE_CHROMIUM, openBrowser } from "../test/helpers/browser.js";
import { CLI, type Figure, type RowProducer } from "./lib.js";
import type { Scale } from "./scenarios.js";

const SHOTS = 100;
const TAKES = 5;
const LOADS = 3;
const POSTERS_WITHIN_MS = 10 * 60_000;

/**
 * Runs in the page before its own HTML: when each shot was first laid out
 * (a ResizeObserver answers after layout, before paint) and when each image
 * or video had a frame to show. Times are the page's performance.now(): ms
 * since the navigation started.
 */
const PROBE = `(() => {
  const laidOut = new Map();
  const shown = new Map();
  window.__paint = { laidOut, shown };
  const sizes = new ResizeObserver((entries) => {
    const now = performance.now();
    for (const e of entries) if (e.contentRect.height > 0 && !laidOut.has(e.target.dataset.shot)) laidOut.set(e.target.dataset.shot, now);
  });
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 1 && n.matches("section.shot")) sizes.observe(n);
  }).observe(document, { childList: true, subtree: true });
  // A take's first frame on screen, whichever element showed it (live refresh replaces a shot's elements).
  const take = (el) => el.closest("section.shot").dataset.shot + "/" + el.closest("figure.take").dataset.take;
  for (const type of ["load", "loadeddata"]) document.addEventListener(type, (e) => {
    if (!e.target.closest || !e.target.closest("figure.take")) return;
    if (!shown.has(take(e.target))) shown.set(take(e.target), performance.now());
  }, true);
  window.__paint.take = take;
})()`;

/** Strings, not functions: the page's DOM types are not this project's. */
const ON_SCREEN = `(() => {
  const { laidOut, shown, take } = window.__paint;
  const inView = (el) => { const r = el.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.width > 0; };
  const takes = [...document.querySelectorAll("figure.take")].filter((f) => f.querySelector("a.facade, video") && inView(f)).map(take);
  const times = takes.map((t) => shown.get(t)).filter((t) => t !== undefined);
  return { shots: document.querySelectorAll("section.shot").length, laidOut: laidOut.size, lastLaidOutMs: Math.max(...laidOut.values()),
    media: takes.length, pending: takes.length - times.length, lastShownMs: Math.max(0, ...times),
    firstContentfulPaintMs: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null };
})()`;

interface Seen {
  shots: number;
  laidOut: number;
  lastLaidOutMs: number;
  media: number;
  pending: number;
  lastShownMs: number;
  firstContentfulPaintMs: number | null;
}

interface Load {
  onScreenMs: number;
  lastLaidOutMs: number;
  lastShownMs: number;
  firstContentfulPaintMs: number | null;
  mediaInView: number;
}

async function load(context: BrowserContext, url: string): Promise<Load> {
  const page = await context.newPage();
  try {
    await page.addInitScript(PROBE);
    await page.goto(url, { waitUntil: "commit" });
    await page.locator("section.shot").last().waitFor({ state: "visible", timeout: 60_000 });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const seen = await page.evaluate<Seen>(ON_SCREEN);
      if (seen.laidOut === SHOTS && seen.shots === SHOTS && seen.media > 0 && seen.pending === 0) {
        const onScreenMs = Math.max(seen.lastLaidOutMs, seen.lastShownMs);
        return { onScreenMs, ...seen, mediaInView: seen.media };
      }
      if (Date.now() > deadline) throw new Error(`the gallery was not on screen within a minute: ${JSON.stringify(seen)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await page.close();
  }
}

/** `shotlist review` as a user starts it; its URL from its first line. */
async function startReview(manifestPath: string, outDir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, "review", manifestPath, "--out", outDir], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    await exited;
  };
  let said = "";
  const url = await new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer): void => {
      said += chunk.toString();
      const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(said);
      if (found !== null) resolve(found[0]);
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    void exited.then(() => reject(new Error(`shotlist review exited before serving: ${said}`)));
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  return { url, stop };
}

async function postersMade(url: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    const html = await (await fetch(url)).text();
    if ((html.match(/ data-poster="/g) ?? []).length === SHOTS * TAKES) return performance.now() - started;
    if (performance.now() - started > POSTERS_WITHIN_MS) throw new Error("the review server did not make 500 posters within 10 minutes");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

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
  const review = await startReview(manifestPath, outDir);
  const browser = await openBrowser();
  const firstOpening: Load[] = [];
  const cached: Load[] = [];
  let postersMs: number;
  try {
    for (let i = 0; i < LOADS; i++) firstOpening.push(await load(browser.context, review.url));
    postersMs = await postersMade(review.url);
    for (let i = 0; i < LOADS; i++) cached.push(await load(browser.context, review.url));
  } finally {
    await browser.close();
    await review.stop();
  }
  const median = (loads: Load[]): number => [...loads].map((l) => l.onScreenMs).sort((a, b) => a - b)[Math.floor(loads.length / 2)] ?? Number.NaN;
  const figure = (when: string, loads: Load[]): Figure => ({
    section: "7 (review)",
    name: `the gallery's page on screen (last shot laid out, first screen's takes showing a frame), ${SHOTS * TAKES} takes, ${when} (median of ${LOADS} loads)`,
    value: Math.round(median(loads)),
    unit: "ms",
    target: "< 1000 ms",
    pass: median(loads) < 1000,
  });
  return {
    figures: [figure("first opened, ffmpeg making the posters", firstOpening), figure("posters cached", cached)],
    raw: { firstOpening, cached, postersMadeWithinMsAfterTheFirstLoads: Math.round(postersMs) },
  };
}

export const reviewPaint: RowProducer = { name: "review-paint", run: paint500 };
