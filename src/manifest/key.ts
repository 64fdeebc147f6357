import { hash } from "node:crypto";
import type { CreateRequest } from "../api/types.js";

/** Hex characters kept from the sha256: 64 bits, ample for one batch's jobs. */
const KEY_LENGTH = 16;

/**
 * JSON with object keys sorted at every level (by UTF-16 code unit, as
 * Array.prototype.sort does); arrays keep their order (image order matters),
 * an undefined item writes nothing between its commas, an undefined field is
 * left out. Built by concatenation with no entry arrays: it runs once per job
 * and was a tenth of validating 10,000 shots. Its output must never change
 * (job keys hash it): key.test.ts pins it.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + (value[i] === undefined ? "" : canonicalJson(value[i]));
    return `${out}]`;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    let out = "{";
    for (const k of Object.keys(record).sort()) {
      const v = record[k];
      if (v === undefined) continue;
      out += `${out.length === 1 ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

/**
 * A job's identity: what is sent and which take it is. It depends on nothing
 * else (not the shot's position, id or neighbours), so editing one shot keeps
 * every other job's key, and its finished outputs, intact.
 */
export function jobKey(request: CreateRequest, take: number): string {
  return sha256(keyText(request, take)).slice(0, KEY_LENGTH);
}

/** Every field a request has, for the compiler to check the list is whole; their order is canonicalJson's (sorted). */
const REQUEST_FIELDS_SET: Record<keyof CreateRequest, true> = {
  model: true,
  prompt: true,
  duration: true,
  quality: true,
  aspect_ratio: true,
  generate_audio: true,
  image_urls: true,
  video_urls: true,
  audio_urls: true,
  callback_url: true,
};
const REQUEST_FIELDS = (Object.keys(REQUEST_FIELDS_SET) as (keyof CreateRequest)[]).sort();

/**
 * What a job key hashes: canonicalJson({ request, take }), byte for byte, made
 * by JSON.stringify of a copy with the fields in sorted order (JSON.stringify
 * keeps insertion order) instead of sorting each object's keys: it runs for
 * every job; key.test.ts pins the two equal. A request with a field this list
 * does not know, or a list holding anything but strings, goes the generic way.
 */
export function keyText(request: CreateRequest, take: number): string {
  const sorted: Partial<Record<keyof CreateRequest, unknown>> = {};
  let fields = 0;
  for (const field of REQUEST_FIELDS) {
    const value = request[field];
    if (value === undefined) continue;
    if (Array.isArray(value) && !value.every((item) => typeof item === "string")) return canonicalJson({ request, take });
    sorted[field] = value;
    fields++;
  }
  if (Object.keys(request).length !== fields) return canonicalJson({ request, take });
  return JSON.stringify({ request: sorted, take });
}

/** The media lists of a request, the fields a local file can be named in. */
const MEDIA_FIELDS = ["image_urls", "video_urls", "audio_urls"] as const;

/**
 * The request as its key sees it: a local file by its content
 * (`sha256:<hex>`), never by its path or the URL an upload gives it, so
 * moving or re-uploading a file keeps the key, and editing its bytes changes
 * exactly the keys of the jobs that use it. URLs stay as they are (their
 * keys are those of earlier versions).
 */
export function keyedRequest(request: CreateRequest, sha256Of: (value: string) => string | undefined): CreateRequest {
  let keyed = request;
  for (const field of MEDIA_FIELDS) {
    const list = request[field];
    if (list === undefined || !list.some((v) => sha256Of(v) !== undefined)) continue;
    keyed = {
      ...keyed,
      [field]: list.map((v) => {
        const digest = sha256Of(v);
        return digest === undefined ? v : `sha256:${digest}`;
      }),
    };
  }
  return keyed;
}

export function promptHash(prompt: string): string {
  return sha256(prompt);
}

/** crypto.hash, not createHash: one call with no Hash object, for the two hashes each job makes. */
function sha256(text: string): string {
  return hash("sha256", text, "hex");
}
