/**
 * The bench proper (run.ts starts it). `npm run bench [-- --quick] [-- --md FILE] [-- --keep]`: measures shotlist
 * against the simulator on loopback, each figure against a reference taken
 * in the same run, prints a markdown table and writes
 * bench/results/latest.json. Figures only: nothing here fails a build.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO, machine, type Figure, type Machine } from "./lib.js";
import { downloads, overhead, utilisation, type Scale } from "./scenarios.js";
import { reviewPaint } from "./review-paint.js";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, md: { type: "string" }, keep: { type: "boolean" }, only: { type: "string" } } });
const quick = values.quick === true;

function fmt(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "";
  const abs = Math.abs(n);
  return abs >= 1000 ? n.toFixed(0) : abs >= 100 ? n.toFixed(1) : abs >= 1 ? n.toFixed(2) : n === 0 ? "0" : n.toPrecision(3);
}

function table(m: Machine, figures: Figure[], totalMs: number): string {
  const lines = [
    `### shotlist bench (${quick ? "quick" : "full"}), ${new Date().toISOString().slice(0, 16)}Z`,
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}, ${m.platform}, load average ${m.load.toFixed(1)} at start. Simulator on loopback in the bench process; each measured side in its own child process. Bench wall time ${(totalMs / 1000).toFixed(0)} s.`,
    "",
    "| # | figure | value | reference | ratio | target | result |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const f of figures) {
    const ref = f.reference === undefined ? "" : `${fmt(f.reference.value)} ${f.unit} (${f.reference.label})`;
    const result = f.pass === undefined ? "" : f.pass ? "pass" : "**miss**";
    lines.push(
      `| ${f.section} | ${f.name} | ${fmt(f.value)} ${f.unit} | ${ref} | ${f.ratio === undefined ? "" : `${fmt(f.ratio)}x`} | ${f.target ?? ""} | ${result} |`,
    );
  }
  const notes = figures.filter((f) => f.note !== undefined);
  if (notes.length > 0) lines.push("", "Notes:", "", ...notes.map((f) => `- ${f.section.split(" (")[0]}, ${f.name}: ${f.note}`));
  return `${lines.join("\n")}\n`;
}

const started = Date.now();
const m = machine();
const dir = await mkdtemp(join(tmpdir(), "shotlist-bench-"));
const scale: Scale = { quick, dir };
const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const scenarios = { utilisation, overhead, downloads, reviewPaint } as const;
try {
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (values.only !== undefined && !values.only.split(",").includes(name)) continue;
    process.stderr.write(`bench: ${name}...\n`);
    const t = Date.now();
    const result = await scenario(scale);
    process.stderr.write(`bench: ${name} took ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    figures.push(...result.figures);
    raw[name] = result.raw;
  }
} finally {
  if (values.keep !== true) await rm(dir, { recursive: true, force: true });
  else process.stderr.write(`bench: kept ${dir}\n`);
}
const order = (f: Figure): number => Number(f.section.split(" ")[0]);
figures.sort((a, b) => order(a) - order(b));
const totalMs = Date.now() - started;
const markdown = table(m, figures, totalMs);
process.stdout.write(markdown);
await writeFile(
  join(REPO, "bench", "results", "latest.json"),
  `${JSON.stringify({ version: 1, mode: quick ? "quick" : "full", at: new Date().toISOString(), machine: m, totalMs, figures, raw }, null, 2)}\n`,
);
if (values.md !== undefined) await writeFile(values.md, markdown);
