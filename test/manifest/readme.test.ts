import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_DEFAULTS, MODELS } from "../../src/manifest/models.js";
import { manifestSchema, settingsSchema, shotSchema } from "../../src/manifest/schema.js";

/** The README's manifest reference, up to the next top-level section. */
function referenceSection(): string {
  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf("## Manifest reference");
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("the README's manifest reference", () => {
  const section = referenceSection();

  it("documents every field the schema accepts", () => {
    const fields = [manifestSchema, settingsSchema, shotSchema].flatMap((s) => Object.keys(s.shape));
    expect(fields.filter((f) => !section.includes(`\`${f}\``))).toEqual([]);
  });

  it("lists every model of the capabilities table", () => {
    expect(Object.keys(MODELS).filter((m) => !section.includes(`\`${m}\``))).toEqual([]);
  });

  it("states the API defaults the expansion fills in", () => {
    for (const [field, value] of Object.entries(API_DEFAULTS)) expect(section, field).toContain(`${field}: ${String(value)}`);
  });
});
