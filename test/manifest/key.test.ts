import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CreateRequest } from "../../src/api/types.js";
import { canonicalJson, keyText } from "../../src/manifest/key.js";
import { batchOf, withShots } from "./helpers.js";

const A = '  - { id: a, prompt: "A lighthouse at dusk" }';
const B = '  - { id: b, prompt: "A harbour at dawn", takes: 2 }';

function keysById(text: string): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const job of batchOf(text).jobs) (keys[job.shotId] ??= []).push(job.key);
  return keys;
}

describe("job keys", () => {
  it("are 16 hex characters", () => {
    expect(batchOf(withShots(A)).jobs[0]?.key).toMatch(/^[0-9a-f]{16}$/);
  });

  it("do not change when shots are reordered", () => {
    expect(keysById(withShots(`${B}\n${A}`))).toEqual(keysById(withShots(`${A}\n${B}`)));
  });

  it("do not change when another shot is edited", () => {
    const edited = keysById(withShots(`${A}\n${B.replace("dawn", "noon")}`));
    expect(edited.a).toEqual(keysById(withShots(`${A}\n${B}`)).a);
    expect(edited.b).not.toEqual(keysById(withShots(`${A}\n${B}`)).b);
  });

  it("change when the shot's prompt is edited", () => {
    const before = keysById(withShots(A)).a;
    expect(keysById(withShots(A.replace("dusk", "night"))).a).not.toEqual(before);
  });

  it("change when a setting the API receives changes, even through defaults", () => {
    const before = keysById(withShots(A)).a;
    expect(keysById(withShots(A, "model: seedance-1.5-pro\ndefaults: { duration: 6 }")).a).not.toEqual(before);
  });

  it("do not change when a default is written out explicitly", () => {
    const before = keysById(withShots(A)).a;
    expect(keysById(withShots(A, "model: seedance-1.5-pro\ndefaults: { duration: 5, quality: 720p }")).a).toEqual(before);
  });

  it("differ between takes of the same shot", () => {
    const [first, second] = keysById(withShots(B)).b ?? [];
    expect(first).not.toEqual(second);
  });

  it("hash the canonical request: keys sorted at every level, arrays in order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: "x" } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    const job = batchOf(withShots(A)).jobs[0];
    const expected = createHash("sha256")
      .update(canonicalJson({ request: job?.request, take: 1 }))
      .digest("hex")
      .slice(0, 16);
    expect(job?.key).toBe(expected);
  });

  it("keep the key and the serialisation they had before canonicalJson was rewritten for speed", () => {
    expect(batchOf(withShots(A)).jobs[0]?.key).toBe("f344cf55e36c35aa");
    expect(canonicalJson({ z: [1, undefined, { b: undefined, a: "\u00e9\u2028" }], "\u00e9": null, A: true, a: 1.5 })).toBe(
      '{"A":true,"a":1.5,"z":[1,,{"a":"\u00e9\u2028"}],"\u00e9":null}',
    );
  });

  it("hash the same text as canonicalJson, written in the request's fixed field order", () => {
    const base: CreateRequest = { model: "m", prompt: 'say "hi" \u00e9\u2028\n', duration: 5, quality: "720p", aspect_ratio: "16:9", generate_audio: false };
    const requests: CreateRequest[] = [
      base,
      { ...base, image_urls: ["https://x/a.png", "b.png"], video_urls: ["https://x/v.mp4"], audio_urls: ["https://x/s.mp3"], callback_url: "https://h/cb" },
      { ...base, image_urls: [], callback_url: undefined } as unknown as CreateRequest,
      { ...base, future_field: { b: 1, a: [2] } } as CreateRequest,
    ];
    for (const request of requests) for (const take of [1, 12]) expect(keyText(request, take)).toBe(canonicalJson({ request, take }));
  });

  it("come with the sha256 of the prompt", () => {
    const job = batchOf(withShots(A)).jobs[0];
    expect(job?.promptHash).toBe(createHash("sha256").update("A lighthouse at dusk").digest("hex"));
  });
});
