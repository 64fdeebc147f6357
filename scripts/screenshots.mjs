#!/usr/bin/env node
// The README's screenshots of the review gallery, made from the built CLI (npm run build first):
// renders manifests/demo.yaml against the simulator into a temp folder, serves it with
// `shotlist review`, decides three shots with the mouse as a reviewer would (a take picked, an
// approval, a rejection with a note) and saves docs/review-desktop.png (1280x800, the whole page)
// and docs/review-narrow.png (390x844, a phone's first screen) from the system's Chromium.
//   node scripts/screenshots.mjs
import { execFile, spawn } from "node:child_process";
import { copyFile, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(REPO, "dist", "cli", "main.js");
const TAKES = 4;

const dir = await mkdtemp(join(tmpdir(), "shotlist-screenshots-"));
// A copy of the manifest, so that its picks file is written in the temp folder, not in manifests/.
const manifest = join(dir, "demo.yaml");
await copyFile(join(REPO, "manifests", "demo.yaml"), manifest);
const out = join(dir, "out");
await promisify(execFile)(process.execPath, [CLI, "run", manifest, "--sim", "--out", out]);

const review = spawn(process.execPath, [CLI, "review", manifest, "--out", out], { stdio: ["ignore", "pipe", "inherit"] });
const exited = new Promise((done) => review.once("exit", done));
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  const url = await new Promise((found, fail) => {
    let said = "";
    review.stdout.on("data", (chunk) => {
      said += chunk;
      const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(said);
      if (match) found(match[0]);
    });
    exited.then(() => fail(new Error(`shotlist review exited: ${said}`)));
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  // Poster frames are made in the background; live refresh brings them into the page.
  await poll(async () => (await page.locator("a.facade[data-poster]").count()) === TAKES, "every take's poster frame");

  const shot = (id) => page.locator(`section[data-shot="${id}"]`);
  await shot("d01-lighthouse").locator('button[value="2"]').click();
  await shot("d01-lighthouse").locator(".badge.chosen").waitFor();
  await shot("d02-cat").locator("button.approve").click();
  await shot("d02-cat").locator(".badge.state-approved").waitFor();
  await shot("d03-two-cats").locator("a.note-edit").click();
  await shot("d03-two-cats").locator('input[name="note"]').fill("the morph is too fast: ask for 8 s");
  await shot("d03-two-cats").locator('button[value="note"]').click();
  await shot("d03-two-cats").locator(".note").waitFor();
  await shot("d03-two-cats").locator("button.reject").click();
  await shot("d03-two-cats").locator(".badge.state-rejected").waitFor();

  // A fresh load: no toast, every poster decoded; the first shot is the current one (j).
  await page.goto(url);
  await poll(() => page.evaluate("[...document.images].every((img) => img.complete && img.naturalWidth > 0)"), "the posters loaded");
  await page.keyboard.press("j");
  await mkdir(join(REPO, "docs"), { recursive: true });
  await page.screenshot({ path: join(REPO, "docs", "review-desktop.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: join(REPO, "docs", "review-narrow.png") });
  for (const name of ["review-desktop.png", "review-narrow.png"]) {
    console.log(`docs/${name}: ${Math.round((await stat(join(REPO, "docs", name))).size / 1024)} KiB`);
  }
} finally {
  await browser.close();
  review.kill("SIGINT");
  await exited;
  await rm(dir, { recursive: true, force: true });
}

async function poll(check, what) {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
