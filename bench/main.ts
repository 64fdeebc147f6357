/**
 * The bench proper (run.ts starts it).
 * `npm run bench [-- --quick] [-- --only NAME,...] [-- --heavy] [-- --md FILE] [-- --keep]`:
 * measures shotlist against the simulator on loopback, each figure against a
 * reference taken in the same run and a target, prints a markdown table and
 * writes bench/results/latest.json. --quick runs smaller sizes and leaves the
 * heavy producers out (unless --heavy); --only runs the named producers
 * (rows.ts). Figures only: nothing here fails a build.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { REPO, machine, type Figure, type Machine } from "./lib.js";
import { ROWS } from "./rows.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean" }, heavy: { type: "boolean" }, md: { type: "string" }, keep: { type: "boolean" }, only: { type: "string" } },
});
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
    const result = f.pass ? "met" : "**missed**";
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
const figures: Figure[] = [];
const raw: Record<string, unknown> = {};
const only = values.only?.split(",");
const unknown = only?.filter((name) => !ROWS.some((row) => row.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`unknown row producer ${unknown.join(", ")}; expected ${ROWS.map((r) => r.name).join(", ")}`);
try {
  for (const row of ROWS) {
    const name = row.name;
    if (only !== undefined ? !only.includes(name) : row.heavy === true && quick && values.heavy !== true) continue;
    process.stderr.write(`bench: ${name}...\n`);
    const t = Date.now();
    // One producer that fails (a heavy row on a busy machine) is a missed row, not a lost table.
    const result = await row.run({ quick, dir }).catch((err: unknown) => ({
      figures: [
        {
          section: name,
          name: "the row producer failed",
          value: Number.NaN,
          unit: "",
          target: "runs",
          pass: false,
          note: String(err).slice(0, 300).replace(/\s+/g, " "),
        },
      ],
      raw: { error: String(err) },
    }));
    process.stderr.write(`bench: ${name} took ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    figures.push(...result.figures);
    raw[name] = result.raw;
  }
} finally {
  if (values.keep !== true) await rm(dir, { recursive: true, force: true });
  else process.stderr.write(`bench: kept ${dir}\n`);
}
const totalMs = Date.now() - started;
const markdown = table(m, figures, totalMs);
process.stdout.write(markdown);
await writeFile(
  join(REPO, "bench", "results", "latest.json"),
  `${JSON.stringify({ version: 1, mode: quick ? "quick" : "full", at: new Date().toISOString(), machine: m, totalMs, figures, raw }, null, 2)}\n`,
);
if (values.md !== undefined) await writeFile(values.md, markdown);
