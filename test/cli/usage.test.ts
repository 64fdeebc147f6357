/** What a mistyped command line gets: the mistake named, the likely intent suggested, nothing run. */
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";

beforeAll(ensureBuilt, 120_000);

describe("a mistyped command line", () => {
  it("names the missing argument instead of counting arguments", async () => {
    const result = await runCli(["run"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shotlist: missing <manifest>\nUsage: shotlist run <manifest>/);
  });

  it("suggests the flag an unknown one was a typo of", async () => {
    const result = await runCli(["run", "shots.yaml", "--concurency", "4"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shotlist: unknown option --concurency \(did you mean --concurrency\?\)\n/);
  });

  it("suggests the command an unknown one was a typo of", async () => {
    const result = await runCli(["stauts", "shots.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shotlist: unknown command "stauts" \(did you mean status\?\); expected one of: /);
  });

  it("names an argument too many", async () => {
    const result = await runCli(["validate", "a.yaml", "b.yaml"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^shotlist: unexpected argument "b.yaml"\n/);
  });
});

describe("help and version", () => {
  it("shows a command's help with `shotlist help <command>`, the same as --help", async () => {
    const [viaHelp, viaFlag] = await Promise.all([runCli(["help", "run"]), runCli(["run", "--help"])]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: shotlist run <manifest>/);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it.each(["-V", "--version", "version"])("prints the version with %s", async (flag) => {
    const result = await runCli([flag]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
