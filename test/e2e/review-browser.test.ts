import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { HAVE_CHROMIUM, NO_CHROMIUM, openBrowser } from "../helpers/browser.js";
import { startCli, waitForOutput } from "../helpers/cli.js";
import { statusRows, useWorkspace } from "./e2e-helpers.js";

const HOSTILE = '<script>window.owned = true</script> a "quoted" shot';

/** Three shots, the second with two takes, the third with a prompt that tries to run a script; a draft profile. */
const MANIFEST = [
  "version: 1",
  "name: e2e",
  "model: seedance-1.5-pro",
  "defaults: { duration: 5, quality: 720p, generate_audio: false }",
  "profiles: { draft: { duration: 4, quality: 480p } }",
  "shots:",
  "  - { id: s01, prompt: A lighthouse at dusk }",
  "  - { id: s02, prompt: Waves on the rocks, takes: 2 }",
  `  - { id: s03, prompt: ${JSON.stringify(HOSTILE)} }`,
  "",
].join("\n");

interface PicksFile {
  shots?: Record<string, { decision?: string; takes?: Record<string, number> }>;
}

describe.skipIf(!HAVE_CHROMIUM)(`the review gallery in Chromium${NO_CHROMIUM}`, () => {
  it("plays a take, records a pick and a note made with the keyboard and an approval made with the mouse; run --approved renders exactly those shots", async () => {
    const ws = await useWorkspace({}, MANIFEST);
    const draft = await ws.run(["--profile", "draft"]).result;
    expect(draft.code, draft.stderr).toBe(0);

    const review = startCli(["review", ws.manifest, "--profile", "draft"], { cwd: ws.dir });
    await waitForOutput(review, /review: http:\/\/127\.0\.0\.1:\d+\/ /);
    const url = /review: (\S+)/.exec(review.output())?.[1] ?? "";
    const browser = await openBrowser();
    onTestFinished(() => browser.close());
    const page = await browser.context.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => dialogs.push(d.message()));
    await page.goto(url);

    const shots = await page.locator("section.shot").all();
    expect(await Promise.all(shots.map((s) => s.getAttribute("data-shot")))).toEqual(["s01", "s02", "s03"]);
    // One <video> per take in the HTML (for a browser without JavaScript); with it, each take is its poster frame until
    // played, once ffmpeg made them (live refresh brings them in; until then a take shows its clip's first frame).
    expect((await (await fetch(url)).text()).match(/<video /g)).toHaveLength(4);
    await expect.poll(() => page.locator("a.facade[data-poster]").count(), { timeout: 20_000 }).toBe(4);
    expect(await page.locator("video").count()).toBe(0);
    // The hostile prompt is text on the page, and its script never ran.
    expect(await page.locator('section[data-shot="s03"] .prompt').textContent()).toBe(HOSTILE);
    expect(await page.evaluate("window.owned")).toBeUndefined();

    await page.locator('section[data-shot="s01"] a.facade').click();
    // Strings, not functions: the page's DOM types are not this project's.
    const video = "document.querySelector('section[data-shot=\"s01\"] video')";
    // Polled with evaluate, not waitForFunction: a string predicate there is eval'd in the page, which the gallery's CSP refuses.
    await expect.poll(() => page.evaluate(`${video}.currentTime > 0`), { timeout: 10_000 }).toBe(true);

    const picksPath = `${ws.manifest}.picks.yaml`;
    const picks = async (): Promise<PicksFile> => (parse(await readFile(picksPath, "utf8").catch(() => "{}")) as PicksFile | null) ?? {};
    // Playing a take of s01 made it the current shot; j: the second shot; 2: its second take.
    await page.keyboard.press("j");
    await page.keyboard.press("2");
    await expect.poll(async () => (await picks()).shots?.s02).toMatchObject({ decision: "approved", takes: { draft: 2 } });
    await page.locator('section[data-shot="s02"] .take[data-take="2"].chosen').waitFor();
    // j: the third shot; n: its note field; Enter saves the note and decides nothing.
    await page.keyboard.press("j");
    await page.keyboard.press("n");
    await page.keyboard.type("reword: no markup");
    await page.keyboard.press("Enter");
    await expect.poll(async () => (await picks()).shots?.s03).toMatchObject({ note: "reword: no markup" });
    await page.locator('section[data-shot="s03"] .note', { hasText: "reword: no markup" }).waitFor();

    await page.locator('section[data-shot="s01"] button.approve').click();
    await expect.poll(async () => (await picks()).shots?.s01?.decision).toBe("approved");
    await page.locator('section[data-shot="s01"] .badge.state-approved').waitFor();
    expect((await picks()).shots?.s03?.decision).toBeUndefined();
    expect(dialogs).toEqual([]);

    await browser.close();
    review.child.kill("SIGINT");
    expect((await review.result).code).toBe(0);

    // The final: the run without a profile, of the approved shots only.
    const final = await ws.run(["--approved"]).result;
    expect(final.code, final.stderr).toBe(0);
    expect(final.stderr).toContain("not approved, left out: s03 (to review)");
    const rendered = (await statusRows(ws)).map((row) => `${row.shot}#${row.take}:${row.state}`);
    expect(rendered).toEqual(["s01#1:done", "s02#1:done", "s02#2:done"]);
    const clips = await Promise.all((await statusRows(ws)).map((row) => readFile(join(ws.batchDir, row.output_path ?? "")).then((b) => b.length > 0)));
    expect(clips).toEqual([true, true, true]);
  }, 120_000);

  it("without JavaScript, shows one video per take and saves an approval and a note with the plain forms", async () => {
    const ws = await useWorkspace({}, MANIFEST);
    expect((await ws.run([]).result).code).toBe(0);
    const review = startCli(["review", ws.manifest], { cwd: ws.dir });
    await waitForOutput(review, /review: http:\/\/127\.0\.0\.1:\d+\/ /);
    const url = /review: (\S+)/.exec(review.output())?.[1] ?? "";
    const browser = await openBrowser({ javaScriptEnabled: false });
    onTestFinished(() => browser.close());
    const page = await browser.context.newPage();
    await page.goto(url);
    expect(await page.locator("video").count()).toBe(4);

    await page.locator('section[data-shot="s01"] button.approve').click();
    await page.locator('section[data-shot="s01"] .badge.state-approved').waitFor();
    // Its own page has the note field; Enter saves the note, not the approval button first in the page.
    await page.locator('section[data-shot="s03"] a.note-edit').click();
    await page.locator('section[data-shot="s03"] input[name="note"]').fill("reword it");
    await page.keyboard.press("Enter");
    await page.locator('section[data-shot="s03"] .note', { hasText: "reword it" }).waitFor();
    const picks = (parse(await readFile(`${ws.manifest}.picks.yaml`, "utf8")) as PicksFile & { shots: Record<string, { note?: string }> }).shots;
    expect([picks.s01?.decision, picks.s03]).toEqual(["approved", expect.objectContaining({ note: "reword it" })]);
    expect(picks.s03?.decision).toBeUndefined();
  }, 120_000);
});
