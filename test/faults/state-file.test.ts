/**
 * A state file that cannot be used: corrupt, from a newer shotlist, or held
 * by another runner. `run` and `status` (the built CLI) say so clearly and
 * leave its bytes exactly as they were: it records money spent.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { loadBatch } from "../../src/manifest/load.js";
import { startSimulator, type Simulator } from "../../src/sim/index.js";
import { openStore } from "../../src/store/index.js";
import { ensureBuilt } from "../helpers/build.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { manifestText } from "../e2e/e2e-helpers.js";

let sim: Simulator;
beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator();
}, 120_000);
afterAll(() => sim.close());

interface Place {
  dir: string;
  manifest: string;
  state: string;
}

async function place(): Promise<Place> {
  const dir = await mkdtemp(join(tmpdir(), "shotlist-state-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const manifest = join(dir, "shots.yaml");
  writeFileSync(manifest, manifestText(2));
  return { dir, manifest, state: join(dir, "state.db") };
}

/** A real state file with the manifest's jobs recorded, closed. */
async function recordedState(p: Place): Promise<void> {
  const store = openStore(p.state);
  try {
    store.syncJobs((await loadBatch(p.manifest, {})).batch);
  } finally {
    store.close();
  }
}

function cli(p: Place, command: "run" | "status"): Promise<CliResult> {
  return runCli([command, p.manifest, "--state", p.state, "--out", join(p.dir, "out")], {
    cwd: p.dir,
    env: { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey },
  });
}

/** Runs `run` and then `status`; both must exit 3 with `message`, and the file must keep its bytes. */
async function refusedByBoth(p: Place, message: RegExp): Promise<void> {
  const before = readFileSync(p.state);
  const creates = sim.ledger.creates.length;
  for (const command of ["run", "status"] as const) {
    const result = await cli(p, command);
    expect(result.code, `${command}: ${result.stderr}`).toBe(3);
    expect(result.stderr, command).toMatch(message);
    expect(result.stderr, command).not.toMatch(/\n\s+at /);
    expect(readFileSync(p.state).equals(before), `${command} changed the state file`).toBe(true);
  }
  expect(sim.ledger.creates.length).toBe(creates);
}

describe("a state file that cannot be used", () => {
  it("refuses a file of garbage, leaving it untouched", async () => {
    const p = await place();
    writeFileSync(p.state, Buffer.alloc(8192, "not a database, just some notes\n"));
    await refusedByBoth(p, /^shotlist: State file .*state\.db is not a usable SQLite database \(.*\)\. It was left untouched: move it aside to start over/);
  });

  it("refuses a garbage file under --sim too, and exits instead of hanging on the simulator", async () => {
    const p = await place();
    writeFileSync(p.state, Buffer.alloc(4096, "garbage "));
    const before = readFileSync(p.state);
    const result = await runCli(["run", p.manifest, "--sim", "--state", p.state, "--out", join(p.dir, "out")], { cwd: p.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/is not a usable SQLite database/);
    expect(readFileSync(p.state).equals(before)).toBe(true);
  }, 10_000);

  it("refuses a state file cut off half-way, leaving it untouched", async () => {
    const p = await place();
    await recordedState(p);
    const whole = readFileSync(p.state);
    writeFileSync(p.state, whole.subarray(0, Math.floor(whole.length / 2) + 100));
    await refusedByBoth(p, /is not a usable SQLite database .*left untouched/);
  });

  it("refuses a state file with a damaged page, leaving it untouched", async () => {
    const p = await place();
    await recordedState(p);
    const bytes = readFileSync(p.state);
    // Page 2 onwards holds tables: scribble over the b-tree header of one.
    bytes.fill(0xa5, 4096, 4096 + 64);
    writeFileSync(p.state, bytes);
    await refusedByBoth(p, /is not a usable SQLite database .*left untouched/);
  });

  it("refuses a state file written by a newer shotlist, saying so", async () => {
    const p = await place();
    await recordedState(p);
    const db = new Database(p.state);
    db.pragma("user_version = 99");
    db.close();
    await refusedByBoth(
      p,
      /^shotlist: State file .*state\.db has schema version 99, but this shotlist knows versions up to \d+: it was written by a newer shotlist\. Upgrade shotlist, or use another state file\. The file was left untouched\./,
    );
  });

  it("refuses an SQLite file of another program", async () => {
    const p = await place();
    const db = new Database(p.state);
    db.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')");
    db.close();
    await refusedByBoth(p, /is an SQLite database of some other program, not a shotlist state file\. It was left untouched/);
  });
});

describe("a state file another runner holds", () => {
  it("refuses a second run naming the holder, while status still reads it", async () => {
    const p = await place();
    await recordedState(p);
    const holder = openStore(p.state);
    onTestFinished(() => holder.close());
    holder.lease.acquire();
    const before = readFileSync(p.state);

    const run = await cli(p, "run");
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      new RegExp(
        `^shotlist: State file .*state\\.db is in use by shotlist pid ${process.pid} on .* \\(last heartbeat \\d+s ago\\)\\. Wait for that run to finish or stop it\\.`,
      ),
    );
    const status = await cli(p, "status");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/queued/);
    expect(readFileSync(p.state).equals(before)).toBe(true);
    expect(holder.lease.held).toBe(true);
  });

  it("refuses a run while another program holds SQLite's write lock, with a message instead of a stack", async () => {
    const p = await place();
    await recordedState(p);
    const other = new Database(p.state);
    onTestFinished(() => {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
    });
    other.exec("BEGIN IMMEDIATE");
    const before = readFileSync(p.state);

    const run = await cli(p, "run");
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /^shotlist: State file .*state\.db is locked by another program \(SQLite: database is locked\) and stayed locked for 5s: .* the file was left untouched\.\n$/,
    );
    const status = await cli(p, "status");
    expect(status.code, status.stderr).toBe(0);
    expect(readFileSync(p.state).equals(before)).toBe(true);
  }, 20_000);
});
