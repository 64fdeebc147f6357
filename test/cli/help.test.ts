import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../src/cli/commands/index.js";
import { ENVIRONMENT } from "../../src/cli/environment.js";
import { parseArgsSpec, readOptions, withBareValues, type OptionValues } from "../../src/cli/option-table.js";
import { ensureBuilt } from "../helpers/build.js";
import { runCli } from "../helpers/cli.js";

beforeAll(ensureBuilt, 120_000);

describe("shotlist <command> --help", () => {
  it("lists each option of run with its default, aligned", async () => {
    const result = await runCli(["run", "--help"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("  --download-concurrency N  clips downloading at once [default: 4]");
    expect(lines).toContain("  --poll-interval S         seconds between polls of a task [default: 5 (1 with --sim)]");
    expect(lines).toContain("  --verify                  hash every finished clip on resume (default: size check)");
  });

  it("ends the simulator's options with the prompt markers it understands, before the examples", async () => {
    const result = await runCli(["sim", "--help"]);
    expect(result.stdout).toContain("\nPrompt markers: [policy] [transient] [transient:N] [never] [fail:<code>]\n\nExamples:\n");
  });
});

describe("each command's Examples and Environment", () => {
  it.each(commands.map((c) => [c.name, c] as const))("%s's help ends with its examples and the variables it reads", async (name, command) => {
    const { code, stdout } = await runCli(["help", name]);

    expect(code).toBe(0);
    const examples = stdout.indexOf("\nExamples:\n");
    const environment = stdout.indexOf("\nEnvironment:\n");
    expect(examples).toBeGreaterThan(stdout.indexOf("\nOptions:\n"));
    expect(environment).toBeGreaterThan(examples);
    for (const example of command.examples) expect(stdout).toContain(`\n  ${example.line}\n`);
    const listed = stdout
      .slice(environment)
      .split("\n")
      .flatMap((line) => /^ {2}([A-Z][A-Z0-9_]*) /.exec(line)?.[1] ?? []);
    expect(listed).toEqual(command.environment);
  });

  it.each(commands.flatMap((c) => c.examples.map((e) => [e.line, c] as const)))("`%s` is a command line the command takes", (line, command) => {
    const [program, name, ...args] = line.split(" ");
    expect([program, name]).toEqual(["shotlist", command.name]);
    const parsed = parseArgs({ args: withBareValues(command.options, args), options: parseArgsSpec(command.options), allowPositionals: true, strict: true });
    const [min, max] = typeof command.positionals === "number" ? [command.positionals, command.positionals] : command.positionals;
    expect(parsed.positionals.length).toBeGreaterThanOrEqual(min);
    expect(parsed.positionals.length).toBeLessThanOrEqual(max);
    expect(() => readOptions(command.options, parsed.values as OptionValues)).not.toThrow();
  });

  it("names only variables that are read: by shotlist's code, or by the AWS SDK it hands the credentials to", () => {
    const named = new Set(commands.flatMap((c) => c.environment));
    const sources = sourceTexts(fileURLToPath(new URL("../../src", import.meta.url))).join("\n");
    const unread = [...named].filter((name) => (ENVIRONMENT[name].by === "shotlist" ? !sources.includes(`env.${name}`) : !sdkReads(name)));
    expect(unread).toEqual([]);
  });

  it("names every variable shotlist's code reads", () => {
    const sources = sourceTexts(fileURLToPath(new URL("../../src", import.meta.url))).join("\n");
    const read = new Set([...sources.matchAll(/env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string));
    // Set by shotlist for the SDK (src/deliver/s3/client.ts), not a setting of the user's.
    read.delete("AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED");
    const named = new Set<string>(commands.flatMap((c) => c.environment));
    expect([...read].filter((name) => !named.has(name))).toEqual([]);
  });
});

/** Every .ts file's text under `dir`. */
function sourceTexts(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => path.endsWith(".ts"))
    .map((path) => readFileSync(join(dir, path), "utf8"));
}

/** Whether the AWS SDK's installed code (its @aws-sdk and @smithy packages) reads `name`. */
function sdkReads(name: string): boolean {
  const modules = fileURLToPath(new URL("../../node_modules", import.meta.url));
  const found = spawnSync("grep", ["-rlF", "--include=*.js", `"${name}"`, join(modules, "@aws-sdk"), join(modules, "@smithy")], { encoding: "utf8" });
  return found.stdout.trim() !== "";
}
