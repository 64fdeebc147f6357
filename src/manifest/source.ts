import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import type { Problem } from "../errors.js";
import { readPlainYaml } from "./plain-yaml.js";

/**
 * A manifest is a shot list; a file past this is no manifest (a clip, an
 * archive or a log named by mistake) or an attack, and is refused by its
 * size before it is read. Sized for the largest real storyboard: 100,000
 * shots with 400-character prompts are ~42 MiB. It bounds what the parse
 * holds, not what a run stores: read as plain data (plain-yaml.ts), validate
 * of that storyboard peaks at ~230 MB RSS; yaml's document with positions,
 * made for a problem to place or a text outside the plain subset, is about
 * 40x the file (1.7 GB for that storyboard with one bad shot).
 */
export const MAX_MANIFEST_BYTES = 48 * 1024 * 1024;
/**
 * Honest manifests use a few anchors; an alias bomb nests aliases of aliases.
 * yaml counts each use of an anchor times the aliases inside it.
 */
export const MAX_ALIAS_COUNT = 100;

export type Path = readonly PropertyKey[];

export interface Position {
  line: number;
  col: number;
}

/** Parsed YAML that can still tell where each value came from. */
export interface Source {
  file: string;
  data: unknown;
  /** Where the value at `path` is written; for a missing key, its nearest written parent. */
  valueAt(path: Path): Position;
  /** Where the key of the entry at `path` is written (for unknown keys). */
  keyAt(path: Path): Position;
}

export type SourceResult = { ok: true; source: Source } | { ok: false; problems: Problem[] };

/**
 * Reads the text as plain data first (plain-yaml.ts): a valid manifest is
 * never asked where a value is, and yaml's document with its positions is
 * most of a big manifest's validate. The document is made only when a place
 * is asked for (a problem or a warning to place), or at once for a text
 * outside the plain reader's subset, which yaml alone reads and judges.
 */
export function parseSource(text: string, file: string): SourceResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_MANIFEST_BYTES) return { ok: false, problems: [tooBig(file, bytes)] };
  const plain = readPlainYaml(text);
  if (plain === undefined) return placedParse(text, file);
  let placed: Positioned | undefined;
  const place = (): Positioned => {
    if (placed !== undefined) return placed;
    const parsed = placedDocument(text, file);
    if ("problems" in parsed) throw new Error(`${file}: the plain YAML reader read it, yaml refused it: ${parsed.problems.map((p) => p.message).join("; ")}`);
    return (placed = parsed);
  };
  return { ok: true, source: { file, data: plain, valueAt: (path) => valueAt(place(), path), keyAt: (path) => keyAt(place(), path) } };
}

/** A document that can say where each node is written. */
interface Positioned {
  doc: Document;
  lineCounter: LineCounter;
}

/** yaml's parse, with the positions of every node. */
function placedDocument(text: string, file: string): Positioned | { problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length === 0) return { doc, lineCounter };
  const problems = doc.errors.map((e): Problem => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return { file, line, col, message: `YAML syntax: ${e.message}`, severity: "error" };
  });
  return { problems };
}

function placedParse(text: string, file: string): SourceResult {
  const placed = placedDocument(text, file);
  if ("problems" in placed) return { ok: false, problems: placed.problems };
  let data: unknown;
  try {
    data = placed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (!(err instanceof ReferenceError)) throw err;
    const message = `YAML aliases expand too much (limit ${MAX_ALIAS_COUNT}); refusing it as a possible alias bomb`;
    return { ok: false, problems: [{ file, message, severity: "error" }] };
  }
  return { ok: true, source: { file, data, valueAt: (path) => valueAt(placed, path), keyAt: (path) => keyAt(placed, path) } };
}

function valueAt({ doc, lineCounter }: Positioned, path: Path): Position {
  return lineCounter.linePos(walk(doc, path).value?.range?.[0] ?? 0);
}

function keyAt({ doc, lineCounter }: Positioned, path: Path): Position {
  const found = walk(doc, path);
  return lineCounter.linePos((found.key ?? found.value)?.range?.[0] ?? 0);
}

export function tooBig(file: string, bytes: number): Problem {
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  // Just over the limit, both round to "48.0 MB": say it in bytes then.
  const size =
    mb(bytes) === mb(MAX_MANIFEST_BYTES)
      ? `${bytes} bytes; the limit is ${MAX_MANIFEST_BYTES} bytes (${mb(MAX_MANIFEST_BYTES)} MB)`
      : `${mb(bytes)} MB; the limit is ${mb(MAX_MANIFEST_BYTES)} MB`;
  return { file, message: `manifest is ${size}`, severity: "error" };
}

/** Follows `path` as far as the document goes, returning the deepest node reached. */
function walk(doc: Document, path: Path): { value: Node | null; key?: Node } {
  let value = doc.contents;
  let key: Node | undefined;
  for (const segment of path) {
    const node = isAlias(value) ? (value.resolve(doc) ?? value) : value;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined || !isScalar(pair.key)) break;
      key = pair.key;
      value = (pair.value as Node | null) ?? pair.key;
    } else if (isSeq(node) && typeof segment === "number" && node.items[segment] !== undefined) {
      key = undefined;
      value = node.items[segment] as Node;
    } else break;
  }
  return key === undefined ? { value } : { value, key };
}
