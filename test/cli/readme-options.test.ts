import { describe, expect, it } from "vitest";
import { readmeSection } from "../helpers/readme.js";
import { commands } from "../../src/cli/commands/index.js";
import { defaultText, optionUsage } from "../../src/cli/option-table.js";

/** Each "`<command>` takes:" table as [option, default] pairs, by command. */
function documentedOptions(section: string): Record<string, string[][]> {
  const tables: Record<string, string[][]> = {};
  let rows: string[][] | undefined;
  for (const line of section.split("\n")) {
    const heading = /`(\w+)` takes:$/.exec(line);
    if (heading !== null) tables[heading[1] as string] = rows = [];
    else if (line.startsWith("| `--"))
      rows?.push(
        line
          .split("|")
          .slice(1, 3)
          .map((cell) => cell.trim()),
      );
  }
  return tables;
}

describe("the README's Commands section", () => {
  const section = readmeSection("## Commands");
  const documented = documentedOptions(section);

  it.each(commands.map((c) => [c.name, c] as const))("documents every option of %s, with its default, in --help order", (_, command) => {
    const expected = Object.values(command.options).map((row) => [`\`${optionUsage(row)}\``, defaultText(row)]);
    expect(documented[command.name]).toEqual(expected);
  });

  it("has an options table only for commands that exist", () => {
    expect(Object.keys(documented).sort()).toEqual(commands.map((c) => c.name).sort());
  });

  it("lists each command with its usage", () => {
    expect(commands.filter((c) => !section.includes(`| \`${c.usage}\` |`)).map((c) => c.usage)).toEqual([]);
  });
});
