import { describe, expect, it } from "vitest";
import { readmeSection } from "../helpers/readme.js";
import { API_DEFAULTS, MODELS } from "../../src/manifest/models.js";
import { manifestSchema, settingsSchema, shotSchema } from "../../src/manifest/schema.js";

describe("the README's manifest reference", () => {
  const section = readmeSection("## Manifest reference");

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
