/**
 * Rows for big manifests: `shotlist validate` and `shotlist plan` of 10,000
 * and 100,000 shots (time and peak RSS, each its own process), and whether a
 * real 100,000-shot storyboard fits under the manifest size cap.
 */
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { MAX_MANIFEST_BYTES } from "../src/manifest/source.js";
import { CLI, MiB, runMeasured, writeManifest, type Figure, type RowProducer, type RowResult } from "./lib.js";

/** A storyboard's prompt as people write them for these models: a few sentences of shot, light and motion. */
const STORYBOARD_PROMPT_CHARS = 400;

async function manifestRows(n: number, dir: string): Promise<RowResult> {
  const manifest = join(dir, `manifest-${n}.yaml`);
  await writeManifest(manifest, `m${n}`, n);
  const bytes = (await stat(manifest)).size;
  const figures: Figure[] = [];
  const raw: Record<string, unknown> = { n, bytes };
  for (const command of ["validate", "plan"] as const) {
    const args = command === "plan" ? [command, manifest, "--out", join(dir, `manifest-${n}-out`)] : [command, manifest];
    const run = await runMeasured(CLI, args, { dir, label: `${command}-${n}` });
    const section = `3 ${command} (${n} shots, ${(bytes / MiB).toFixed(1)} MiB)`;
    const rss = run.probe.maxRssBytes;
    figures.push(
      { section, name: "wall time (process start to exit)", value: run.wallMs / 1000, unit: "s", target: "< 3 s", pass: run.wallMs < 3000 },
      { section, name: "peak RSS", value: rss / MiB, unit: "MiB", target: "< 250 MB", pass: rss < 250e6 },
    );
    raw[command] = { wallMs: run.wallMs, probe: run.probe };
  }
  await rm(manifest, { force: true });
  return { figures, raw };
}

export const manifest10k: RowProducer = { name: "manifest-10k", run: ({ dir }) => manifestRows(10_000, dir) };

export const manifest100k: RowProducer = {
  name: "manifest-100k",
  heavy: true,
  async run({ dir }) {
    const result = await manifestRows(100_000, dir);
    // Arithmetic, not a run: the bench's own shots are terse; a real storyboard's are not.
    const perShot = `  - id: s000001\n    prompt: ""\n`.length + STORYBOARD_PROMPT_CHARS;
    const storyboard = 100_000 * perShot;
    result.figures.push({
      section: "3 manifest size cap",
      name: `a 100,000-shot storyboard, ${STORYBOARD_PROMPT_CHARS}-character prompts`,
      value: storyboard / MiB,
      unit: "MiB",
      reference: { value: MAX_MANIFEST_BYTES / MiB, label: "the cap (MAX_MANIFEST_BYTES)" },
      ratio: storyboard / MAX_MANIFEST_BYTES,
      target: "under the cap",
      pass: storyboard <= MAX_MANIFEST_BYTES,
    });
    return result;
  },
};
