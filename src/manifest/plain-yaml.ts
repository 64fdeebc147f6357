import { Schema, isScalar, type ParseOptions, type ScalarTag } from "yaml";

/**
 * A fast reader for the YAML manifests are written in: block maps and lists
 * by indentation, one-line flow maps and lists (`{ id: s01, prompt: "..." }`),
 * plain, single- and double-quoted scalars on one line, comments. It returns
 * what yaml's parse would (plain data, the same values: plain scalars are
 * resolved by yaml's own core-schema tags), or undefined for any text outside
 * that subset: anchors, tags, block scalars, multi-line scalars, tabs,
 * duplicate keys, anything yaml would call an error. The caller then parses
 * with yaml itself, which also places every value; a manifest with a problem
 * to place is parsed by yaml too (source.ts). It exists for speed: yaml
 * builds a document of nodes with positions, about 3 s and 500 MiB for a
 * 100,000-shot manifest, which validate never looks at when nothing is wrong.
 */
export function readPlainYaml(text: string): unknown {
  if (UNSAFE_CHARS.test(text)) return undefined;
  try {
    const reader = new Reader(text);
    if (reader.line === undefined) return undefined;
    const data = reader.block(reader.indent, 0);
    return reader.line === undefined ? data : undefined;
  } catch (err) {
    if (err === OUTSIDE) return undefined;
    throw err;
  }
}

/** Thrown where the text leaves the subset; readPlainYaml turns it into undefined. */
const OUTSIDE = new Error("outside the plain YAML subset");

/**
 * Characters that make yaml's reading differ from a plain one's or that it may
 * refuse: tabs, control and C1 characters, a carriage return but in CRLF, a
 * byte-order mark, Unicode line and paragraph separators.
 */
const UNSAFE_CHARS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\r(?!\n)/;
const SPACE = 0x20;
const HASH = 0x23;
const CR = 0x0d;
/** Block and flow levels: a manifest has four; a deeper text is yaml's to judge (its stack-exhaustion error included). */
const MAX_DEPTH = 16;
/** `key:` or `key: value` on a block line; keys are plain words, resolved like any plain scalar. */
const BLOCK_KEY = /^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}):(?: +(.*))?$/;
const STARTS_BLOCK_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}:(?: |$)/;
const FLOW_KEY = /[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}: /y;
/** Characters a plain scalar may not start with (`-`, `?` and `:` only when a space or nothing follows). */
const NOT_PLAIN_FIRST = new Set([..."#&*!|>'\"%@`,[]{}"]);
const FLOW_INDICATORS = new Set([..."[]{},"]);
/** yaml's double-quoted escapes (compose/resolve-flow-scalar.js), the tab left out with every tab. */
const ESCAPES: Readonly<Record<string, string>> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};
const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** The core schema's scalar tags that claim a plain scalar by a test (null, bool, int, float), in yaml's order; anything else is a string. */
const PLAIN_TAGS = new Schema({}).tags.filter((tag): tag is ScalarTag => tag.default === true && tag.test !== undefined);
/** Any of their tests at once: most scalars (every prompt) match none, and are strings after one test. */
const ANY_PLAIN_TAG = new RegExp(PLAIN_TAGS.map((tag) => `(?:${tag.test?.source})`).join("|"));
const RESOLVE_OPTIONS: ParseOptions = { intAsBigInt: false };

function resolvePlain(value: string): unknown {
  if (!ANY_PLAIN_TAG.test(value)) return value;
  const tag = PLAIN_TAGS.find((t) => t.test?.test(value) === true);
  if (tag === undefined) return value;
  const resolved = tag.resolve(
    value,
    () => {
      throw OUTSIDE;
    },
    RESOLVE_OPTIONS,
  );
  return isScalar(resolved) ? resolved.value : resolved;
}

/** A key as yaml's toJS writes it into an object: only keys that resolve to strings, never one already there or inherited (`constructor`). */
function addKey(map: Record<string, unknown>, raw: string, value: unknown): void {
  const key = resolvePlain(raw);
  if (typeof key !== "string" || key in map) throw OUTSIDE;
  map[key] = value;
}

function isListLine(text: string): boolean {
  return text.charCodeAt(0) === 0x2d && (text.length === 1 || text.charCodeAt(1) === SPACE);
}

/** After a value, its line holds nothing more, or a comment after a space (the line's trailing spaces are cut). */
const COMMENT_AFTER = / +#/y;

function endOfLine(text: string, at: number): void {
  COMMENT_AFTER.lastIndex = at;
  if (at !== text.length && !COMMENT_AFTER.test(text)) throw OUTSIDE;
}

/**
 * Reads line by line with one line of lookahead, so the text is never split
 * into an array of lines (200,000 strings for 100,000 shots).
 */
class Reader {
  /** The current line without its indentation, trailing spaces and CRLF's CR; blank and comment lines are skipped. Undefined past the end. */
  line: string | undefined;
  indent = 0;
  readonly #text: string;
  /** Where the line after the current one starts. */
  #next = 0;

  constructor(text: string) {
    this.#text = text;
    this.#advance();
  }

  #advance(): void {
    const text = this.#text;
    while (this.#next < text.length) {
      const lineStart = this.#next;
      let lineEnd = text.indexOf("\n", lineStart);
      if (lineEnd === -1) lineEnd = text.length;
      this.#next = lineEnd + 1;
      if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
      let start = lineStart;
      while (start < lineEnd && text.charCodeAt(start) === SPACE) start++;
      let end = lineEnd;
      while (end > start && text.charCodeAt(end - 1) === SPACE) end--;
      if (end === start || text.charCodeAt(start) === HASH) continue;
      this.line = text.slice(start, end);
      this.indent = start - lineStart;
      return;
    }
    this.line = undefined;
  }

  /** The map or list whose lines start at this indentation. */
  block(indent: number, depth: number): unknown {
    if (depth > MAX_DEPTH) throw OUTSIDE;
    return isListLine(this.line ?? "") ? this.#list(indent, depth) : this.#map(indent, depth);
  }

  #map(indent: number, depth: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    while (this.line !== undefined && this.indent === indent && !isListLine(this.line)) {
      const match = BLOCK_KEY.exec(this.line);
      if (match === null) throw OUTSIDE;
      this.#advance();
      const rest = match[2];
      const value = rest === undefined || rest.charCodeAt(0) === HASH ? this.#nested(indent, depth, true) : this.#inline(rest, indent, depth);
      addKey(map, match[1] as string, value);
    }
    return map;
  }

  #list(indent: number, depth: number): unknown[] {
    const list: unknown[] = [];
    while (this.line !== undefined && this.indent === indent && isListLine(this.line)) {
      const text = this.line;
      let start = 1;
      while (text.charCodeAt(start) === SPACE) start++;
      const rest = text.slice(start);
      if (rest === "" || rest.charCodeAt(0) === HASH) {
        this.#advance();
        list.push(this.#nested(indent, depth, false));
      } else if (STARTS_BLOCK_KEY.test(rest) || isListLine(rest)) {
        // `- id: s01`: a map (or list) whose first line starts after the dash; its next lines are indented to there.
        this.indent = indent + start;
        this.line = rest;
        list.push(this.block(indent + start, depth + 1));
      } else {
        this.#advance();
        list.push(this.#inline(rest, indent, depth));
      }
    }
    return list;
  }

  /** The value of `key:` or `-` with nothing after it: a deeper block, a list at the key's own indentation, or null. */
  #nested(indent: number, depth: number, underKey: boolean): unknown {
    if (this.line === undefined) return null;
    if (this.indent > indent) return this.block(this.indent, depth + 1);
    if (underKey && this.indent === indent && isListLine(this.line)) return this.#list(indent, depth + 1);
    return null;
  }

  /** A value written on its key's or dash's line; the next line must not be deeper (that would continue it). */
  #inline(text: string, indent: number, depth: number): unknown {
    const [value, end] = text.charCodeAt(0) === 0x7b || text.charCodeAt(0) === 0x5b ? flowValue(text, 0, depth + 1) : scalar(text, false);
    endOfLine(text, end);
    if (this.line !== undefined && this.indent > indent) throw OUTSIDE;
    return value;
  }
}

/** A quoted or plain scalar at the start of `text`: its value and where it ends. */
function scalar(text: string, inFlow: boolean, at = 0): [unknown, number] {
  const first = text[at];
  if (first === '"') return doubleQuoted(text, at);
  if (first === "'") return singleQuoted(text, at);
  return plain(text, inFlow, at);
}

function plain(text: string, inFlow: boolean, at: number): [unknown, number] {
  const first = text[at] ?? "";
  const second = text[at + 1];
  if (first === "" || NOT_PLAIN_FIRST.has(first)) throw OUTSIDE;
  if ((first === "-" || first === "?" || first === ":") && (second === undefined || second === " " || (inFlow && FLOW_INDICATORS.has(second)))) throw OUTSIDE;
  let end = at;
  for (; end < text.length; end++) {
    const ch = text[end] as string;
    if (ch === "#" && text[end - 1] === " ") break;
    if (inFlow && FLOW_INDICATORS.has(ch)) break;
    if (ch === ":") {
      const next = text[end + 1];
      if (next === undefined || next === " " || (inFlow && FLOW_INDICATORS.has(next))) throw OUTSIDE;
    }
  }
  // What stopped it (a comment, a flow indicator) is the caller's to judge.
  while (end > at && text.charCodeAt(end - 1) === SPACE) end--;
  return [resolvePlain(text.slice(at, end)), end];
}

function singleQuoted(text: string, at: number): [string, number] {
  let value = "";
  let from = at + 1;
  for (;;) {
    const quote = text.indexOf("'", from);
    if (quote === -1) throw OUTSIDE;
    value += text.slice(from, quote);
    if (text[quote + 1] !== "'") return [value, quote + 1];
    value += "'";
    from = quote + 2;
  }
}

function doubleQuoted(text: string, at: number): [string, number] {
  let value = "";
  let from = at + 1;
  let backslash = text.indexOf("\\", from);
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) throw OUTSIDE;
    if (backslash === -1 || quote < backslash) return [value + text.slice(from, quote), quote + 1];
    value += text.slice(from, backslash);
    const code = text[backslash + 1] ?? "";
    const escaped = ESCAPES[code];
    const hexLength = HEX_ESCAPE_LENGTH[code];
    if (escaped !== undefined) {
      value += escaped;
      from = backslash + 2;
    } else if (hexLength !== undefined) {
      const hex = text.slice(backslash + 2, backslash + 2 + hexLength);
      const point = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : NaN;
      if (!(point <= 0x10ffff)) throw OUTSIDE;
      value += String.fromCodePoint(point);
      from = backslash + 2 + hexLength;
    } else throw OUTSIDE;
    backslash = text.indexOf("\\", from);
  }
}

function skipSpaces(text: string, at: number): number {
  while (text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** A flow map, list or scalar at `at` (after spaces), on one line. */
function flowValue(text: string, at: number, depth: number): [unknown, number] {
  if (depth > MAX_DEPTH) throw OUTSIDE;
  const start = skipSpaces(text, at);
  const open = text[start];
  if (open !== "{" && open !== "[") return scalar(text, true, start);
  const close = open === "{" ? "}" : "]";
  const map: Record<string, unknown> = {};
  const list: unknown[] = [];
  let next = skipSpaces(text, start + 1);
  if (text[next] === close) return [open === "{" ? map : list, next + 1];
  for (;;) {
    if (open === "{") {
      FLOW_KEY.lastIndex = next;
      if (!FLOW_KEY.test(text)) throw OUTSIDE;
      const raw = text.slice(next, FLOW_KEY.lastIndex - 2);
      const [value, end] = flowValue(text, FLOW_KEY.lastIndex, depth + 1);
      addKey(map, raw, value);
      next = end;
    } else {
      const [value, end] = flowValue(text, next, depth + 1);
      list.push(value);
      next = end;
    }
    next = skipSpaces(text, next);
    if (text[next] === close) return [open === "{" ? map : list, next + 1];
    if (text[next] !== ",") throw OUTSIDE;
    next = skipSpaces(text, next + 1);
    // A trailing comma and an empty entry are yaml's to judge.
    if (text[next] === close || text[next] === ",") throw OUTSIDE;
  }
}
