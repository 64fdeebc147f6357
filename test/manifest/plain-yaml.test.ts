import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { readPlainYaml } from "../../src/manifest/plain-yaml.js";

/** What yaml itself makes of the text, as source.ts asks it. */
function yamlData(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  return doc.errors.length > 0 ? { yamlError: doc.errors[0]?.message } : doc.toJS({ maxAliasCount: 100 });
}

/** Scalars as they come in manifests, and the ones whose reading differs between YAML versions or schemas. */
const SCALARS = [
  ...["a", "480p", "16:9", "seedance-1.5-pro", "a slow pan, rain", "a [b] {c}", "a - b", "it's", 'say "hi"', "http://x/y.png", "shot#1", "é 😀", "a  b"],
  ...["5", "-5", "+5", "0o17", "0x1F", "1e3", ".5", "5.", "1.0", "007", "-0", ".inf", "-.inf", ".nan", "1_000", "0b101", "2001-12-14"],
  ...["~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "yes", "no", "on", "NaN"],
  ...["'x'", "'it''s'", "''", '"x"', '"a\\"b"', '"\\n\\t\\\\\\/"', '"\\x41\\u00e9\\U0001F600"', '"\\0"', '"# not a comment"'],
  ...["a #comment", '"a" #comment', "[a, b]", "[ ]", "{}", "{ x: 1, y: [a, 'b'] }", "[https://x/a.png, b.mp4]"],
];

const STRUCTURES = [
  "version: 1\nname: m\nshots:\n  - id: s01\n    prompt: one\n  - { id: s02, prompt: two, takes: 2 }\n",
  "shots:\n- id: a\n  image_urls:\n  - x.png\n  - y.png\n  prompt: b\nname: n\n",
  "-   a: 1\n    b: 2\n- - x\n  - y\n-\n  c: 3\n-\n",
  "# top\na: 1 # one\n\n   # indented comment\nb:\n  c:\n    d: [1, 2]\ne:\n",
  "a: 1\r\nb:\r\n  - x\r\n",
  "  indented: 1\n  map: 2\n",
];

describe("the plain YAML reader", () => {
  it("reads what yaml reads, value for value, wherever it reads at all", () => {
    const texts = [
      ...SCALARS.flatMap((v) => [`k: ${v}\n`, `- ${v}\n`, `k: [${v}]\n`, `k: { x: ${v} }\n`, `- { id: s, prompt: ${v} }\n`, `k: ${v}\n  more\n`]),
      ...STRUCTURES,
    ];
    const differing = texts.filter((text) => {
      const plain = readPlainYaml(text);
      return plain !== undefined && JSON.stringify(plain) !== JSON.stringify(yamlData(text));
    });
    expect(differing).toEqual([]);
  });

  it("reads the way manifests are written: block and flow shots, comments, quoted prompts, CRLF", () => {
    expect(STRUCTURES.filter((text) => readPlainYaml(text) === undefined)).toEqual([]);
    expect(readPlainYaml('k: 5\nq: "a\\"b"\nn: ~\nf: .5\nt: True\ns: 0b1\n')).toEqual({ k: 5, q: 'a"b', n: null, f: 0.5, t: true, s: "0b1" });
  });

  it("leaves to yaml what it does not read: anchors, tags, block and multi-line scalars, tabs, duplicates, odd keys", () => {
    const outside = [
      "a: &x 1\nb: *x\n",
      "a: !!str 5\n",
      "a: |\n  text\n",
      "a: one\n  two\n",
      'a: "one\n  two"\n',
      "a:\t1\n",
      "a: 1\na: 2\n",
      "constructor: 1\n",
      "1: x\n",
      "? a\n: b\n",
      "---\na: 1\n",
      "a: [b,\n  c]\n",
      "a: b: c\n",
      "a: 1\r",
      "\ufeffa: 1\n",
      `a: ${"[".repeat(20)}${"]".repeat(20)}\n`,
    ];
    expect(outside.filter((text) => readPlainYaml(text) !== undefined)).toEqual([]);
  });
});
