/**
 * Hostile and broken manifests through the built CLI: `validate` and `run`
 * both refuse each with exit 2 and a message that names the place, and `run`
 * sends nothing at all (the simulator's ledger stays empty) and writes no
 * state. test/manifest checks each rule; this checks the end-to-end promise.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { ensureBuilt } from "../helpers/build.js";
import { runCli, type CliResult } from "../helpers/cli.js";

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), "shotlist-hostile-"));
}, 120_000);
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const HEAD = ["version: 1", "name: hostile", "model: seedance-1.5-pro", "shots:"];

function manifest(name: string, text: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Runs `validate` and `run` on the manifest; both must refuse it with exit 2, and `run` must send and write nothing. */
async function refused(path: string): Promise<{ validate: CliResult; run: CliResult }> {
  const out = join(dir, "out", `${Date.now()}-${Math.random()}`);
  const env = { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey };
  const [validate, run] = await Promise.all([runCli(["validate", path]), runCli(["run", path, "--out", out], { env })]);
  expect(validate.code, validate.stderr).toBe(2);
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).toBe(validate.stderr);
  expect(validate.stderr).not.toMatch(/\n\s+at /);
  expect({ creates: sim.ledger.creates.length, polls: sim.ledger.polls.length, downloads: sim.ledger.downloads.length }).toEqual({
    creates: 0,
    polls: 0,
    downloads: 0,
  });
  expect(existsSync(out)).toBe(false);
  return { validate, run };
}

/** file:line:col, escaped for a RegExp. */
function at(path: string, line: number, col: number): string {
  return `${path}:${line}:${col}`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("broken YAML", () => {
  it("refuses malformed YAML at the place it breaks", async () => {
    const path = manifest("malformed", [...HEAD, '  - { id: s01, prompt: "a lighthouse"', "  - id: s02", ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(new RegExp(`^shotlist: ${at(path, 6, 3)}: YAML syntax: `));
  });

  it("refuses an alias bomb before expanding it", async () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${"abcdefghij"[i]}: &${"abcdefghij"[i]} [${Array(10)
          .fill(`*${"abcdefghij"[i - 1]}`)
          .join(", ")}]`,
      );
    const path = manifest("bomb", ["version: 1", "name: bomb", "model: seedance-1.5-pro", ...levels, "shots:", "  - { id: s01, prompt: *i }", ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toBe(`shotlist: ${path}: YAML aliases expand too much (limit 100); refusing it as a possible alias bomb\n`);
  });
});

describe("deeply nested YAML", () => {
  it("refuses nesting deep enough to exhaust the parser's stack, as a YAML error at its place", async () => {
    const path = manifest("deep", [...HEAD, `  - ${"[".repeat(50_000)}${"]".repeat(50_000)}`, ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(new RegExp(`^shotlist: ${at(path, 5, 0).replace(/0$/, "")}\\d+: YAML syntax: Maximum call stack size exceeded\\n$`));
  });
});

describe("oversized input", () => {
  it("refuses a 50 MB prompt by the file's size, before parsing it", async () => {
    const path = manifest("huge-prompt", [...HEAD, "  - id: s01", `    prompt: "${"a".repeat(50 * 1024 * 1024)}"`, ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toBe(`shotlist: ${path}: manifest is 50.0 MB; the limit is 48.0 MB\n`);
  });

  it("refuses a 3 MB prompt at its place without echoing it", async () => {
    const path = manifest("long-prompt", [...HEAD, "  - id: s01", `    prompt: "${"a".repeat(3 * 1024 * 1024)}"`, ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(new RegExp(`^shotlist: ${at(path, 6, 13)} shot s01: prompt is too long for seedance-1.5-pro: about \\d+ tokens`));
    expect(validate.stderr.length).toBeLessThan(1_000);
  });
});

describe("100,000 shots", () => {
  const shots = (bad: boolean): string =>
    [...HEAD, ...Array.from({ length: 100_000 }, (_, i) => `  - {id: s${i}, prompt: "shot ${i}"${bad && i === 99_999 ? ", duration: 99" : ""}}`), ""].join(
      "\n",
    );

  it("validates them all", async () => {
    const path = manifest("many", shots(false));
    const result = await runCli(["validate", path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok hostile: 100000 shots, 100000 jobs/);
  }, 60_000);

  it("refuses them all for one bad shot at the end, naming its line, and sends nothing", async () => {
    const path = manifest("many-bad", shots(true));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(
      new RegExp(`^shotlist: ${at(path, 100_004, 50)} shot s99999: duration must be 4..12 for seedance-1.5-pro \\(got 99\\)\\n$`),
    );
  }, 60_000);

  it("lists the first 50 problems of a manifest with thousands and counts the rest", async () => {
    const path = manifest(
      "many-problems",
      [...HEAD, ...Array.from({ length: 5_000 }, (_, i) => `  - {id: s${i}, prompt: "shot ${i}", duration: 99}`), ""].join("\n"),
    );
    const { validate } = await refused(path);
    const lines = validate.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[50]).toBe("... and 4950 more problem(s), 5000 in all: fix these first");
  });
});

describe("shot ids that could name a path elsewhere", () => {
  it.each([
    ["a parent folder", '".."'],
    ["a path climbing out", '"../../etc/cron.d/x"'],
    ["a slash", '"a/b"'],
    ["an absolute path", '"/tmp/x"'],
    ["a NUL byte", '"s0\\0evil"'],
    ["a Cyrillic look-alike letter", '"\u0455hot-01"'],
    ["a fullwidth look-alike", '"\uff53hot"'],
    ["a right-to-left override", '"s01\u202egpj.exe"'],
    ["a leading dot", '".hidden"'],
    ["an empty string", '""'],
  ])("refuses %s as an id, at its place", async (name, id) => {
    const path = manifest(`id-${name.replace(/\W+/g, "-")}`, [...HEAD, `  - id: ${id}`, '    prompt: "a lighthouse"', ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(
      new RegExp(
        `^shotlist: ${at(path, 5, 9)} shot .*: id must start with a letter or digit and hold only A-Z a-z 0-9 \\. _ - \\(at most 64 characters\\): it names a folder`,
      ),
    );
  });

  it("refuses a duplicate id at its second use, naming the first", async () => {
    const path = manifest(
      "duplicate",
      [...HEAD, '  - { id: s01, prompt: "one" }', '  - { id: s02, prompt: "two" }', '  - { id: s01, prompt: "three" }', ""].join("\n"),
    );
    const { validate } = await refused(path);
    expect(validate.stderr).toBe(`shotlist: ${path}:7:11 shot s01: duplicate shot id (first used on line 5); ids name output folders and must be unique\n`);
  });

  it("refuses two shots that would send the same request, since they would be one job", async () => {
    const path = manifest("same-request", [...HEAD, '  - { id: s01, prompt: "same" }', '  - { id: s02, prompt: "same" }', ""].join("\n"));
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(new RegExp(`^shotlist: ${at(path, 6, 24)} shot s02: sends exactly the same request as shot s01 \\(line 5\\)`));
  });
});

describe("names that could lead out of the output folder", () => {
  it("refuses a batch name of ..", async () => {
    const path = manifest(
      "name-dots",
      ["version: 1", 'name: ".."', "model: seedance-1.5-pro", "shots:", '  - { id: s01, prompt: "a lighthouse" }', ""].join("\n"),
    );
    const { validate } = await refused(path);
    expect(validate.stderr).toBe(`shotlist: ${path}:2:7: name must not be "." or "..": it names the output folder (got "..")\n`);
  });

  it("refuses a profile named .., which would save clips beside the batch folder", async () => {
    const path = manifest(
      "profile-dots",
      [
        "version: 1",
        "name: p",
        "model: seedance-1.5-pro",
        "profiles:",
        '  "..": { duration: 4 }',
        "shots:",
        '  - { id: s01, prompt: "a lighthouse" }',
        "",
      ].join("\n"),
    );
    const { validate } = await refused(path);
    expect(validate.stderr).toMatch(new RegExp(`^shotlist: ${at(path, 5, 3)}: profiles name "\\.\\." must not be "\\." or "\\.\\.": it names a folder`));
  });
});

describe("wrong types", () => {
  it("names every field of the wrong type, each at its place", async () => {
    const path = manifest(
      "types",
      [
        'version: "1"',
        "name: 42",
        "model: [seedance-1.5-pro]",
        "concurrency: lots",
        "defaults: { duration: five, generate_audio: yes please }",
        "shots:",
        "  - id: 7",
        "    prompt: { text: hi }",
        "  - id: s02",
        '    prompt: "fine"',
        "    takes: 2.5",
        "    image_urls: https://example.com/a.png",
        "  - just a string",
        "",
      ].join("\n"),
    );
    const { validate } = await refused(path);
    const lines = validate.stderr
      .replace(/^shotlist: /, "")
      .trimEnd()
      .split("\n");
    const places = lines.map((l) => /^.*?:(\d+):(\d+)/.exec(l)?.slice(1, 3).join(":"));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(places.every((p) => p !== undefined)).toBe(true);
    for (const want of ["1:10", "2:7", "3:8", "4:14", "5:23", "5:45", "7:9", "8:13", "11:12", "12:17", "13:5"]) expect(places, want).toContain(want);
  });
});
