import { beforeEach, describe, expect, it } from "vitest";
import type { ApiErrorBody } from "../../src/api/types.js";
import type { Simulator } from "../../src/sim/index.js";
import { BASIC, client, simulators } from "./sim-client.js";

const start = simulators();
let sim: Simulator;
beforeEach(async () => {
  sim = await start();
});

const V15 = "seedance-1.5-pro";
const T2V = "seedance-2.0-text-to-video";
const I2V = "seedance-2.0-image-to-video";
const REF = "seedance-2.0-reference-to-video";
const img = (n: number): string[] => Array.from({ length: n }, (_, i) => `https://example.com/${i}.png`);

/** [what, body, param the 400 names] */
const REFUSED: [string, Record<string, unknown>, string][] = [
  ["model missing", { prompt: "x" }, "model"],
  ["model not a string", { model: 15, prompt: "x" }, "model"],
  ["model not seedance", { model: "veo-3.1", prompt: "x" }, "model"],
  ["prompt missing", { model: V15 }, "prompt"],
  ["prompt blank", { model: V15, prompt: "   " }, "prompt"],
  ["prompt over 2000 tokens", { model: V15, prompt: "word ".repeat(1700) }, "prompt"],
  ["1.5 duration 3", { ...BASIC, duration: 3 }, "duration"],
  ["1.5 duration 13", { ...BASIC, duration: 13 }, "duration"],
  ["duration not integer", { ...BASIC, duration: 5.5 }, "duration"],
  ["duration as string", { ...BASIC, duration: "5" }, "duration"],
  ["2.0 duration 16", { model: T2V, prompt: "x", duration: 16 }, "duration"],
  ["1.5 quality 1080p", { ...BASIC, quality: "1080p" }, "quality"],
  ["quality unknown", { ...BASIC, quality: "4k" }, "quality"],
  ["aspect ratio unknown", { ...BASIC, aspect_ratio: "2:1" }, "aspect_ratio"],
  ["generate_audio as string", { ...BASIC, generate_audio: "true" }, "generate_audio"],
  ["1.5 three images", { ...BASIC, image_urls: img(3) }, "image_urls"],
  ["image_urls not an array", { ...BASIC, image_urls: "https://example.com/a.png" }, "image_urls"],
  ["image url not http(s)", { ...BASIC, image_urls: ["ftp://example.com/a.png"] }, "image_urls"],
  ["image url not a URL", { ...BASIC, image_urls: ["a.png"] }, "image_urls"],
  ["1.5 video_urls", { ...BASIC, video_urls: ["https://example.com/a.mp4"] }, "video_urls"],
  ["1.5 audio_urls", { ...BASIC, audio_urls: ["https://example.com/a.mp3"] }, "audio_urls"],
  ["2.0 text-to-video with an image", { model: T2V, prompt: "x", image_urls: img(1) }, "image_urls"],
  ["2.0 image-to-video without images", { model: I2V, prompt: "x" }, "image_urls"],
  ["2.0 image-to-video three images", { model: I2V, prompt: "x", image_urls: img(3) }, "image_urls"],
  ["reference ten images", { model: REF, prompt: "x", image_urls: img(10) }, "image_urls"],
  ["reference four videos", { model: REF, prompt: "x", video_urls: img(4) }, "video_urls"],
  ["reference four audios", { model: REF, prompt: "x", audio_urls: img(4) }, "audio_urls"],
  ["callback http", { ...BASIC, callback_url: "http://example.com/hook" }, "callback_url"],
  ["callback loopback", { ...BASIC, callback_url: "https://127.0.0.1/hook" }, "callback_url"],
  ["callback private", { ...BASIC, callback_url: "https://192.168.1.4/hook" }, "callback_url"],
  ["callback not a URL", { ...BASIC, callback_url: "hook" }, "callback_url"],
];

describe("create validation", () => {
  it.each(REFUSED)("refuses %s with a 400 naming the field", async (_what, body, param) => {
    const answer = await client(sim).create<ApiErrorBody>(body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ type: "invalid_request_error", param });
    expect(answer.body.error.message).toEqual(expect.any(String));
    expect(sim.ledger.creates.at(-1)).toMatchObject({ status: 400, taskId: null, body });
  });

  it("says model not found for a non-seedance model", async () => {
    const answer = await client(sim).create<ApiErrorBody>({ model: "veo-3.1", prompt: "x" });
    expect(answer.body.error).toMatchObject({ code: "model_not_found", param: "model" });
  });

  it("refuses a body that is not JSON, or not an object", async () => {
    expect((await client(sim).create<ApiErrorBody>("{not json")).body.error).toMatchObject({ code: "invalid_json", type: "invalid_request_error" });
    expect((await client(sim).create<ApiErrorBody>([BASIC])).status).toBe(400);
    expect(sim.ledger.creates[0]?.body).toBe("{not json");
  });

  it("refuses a body over 1 MB with 413", async () => {
    const answer = await client(sim).create<ApiErrorBody>({ ...BASIC, padding: "x".repeat(1_100_000) });
    expect(answer.status).toBe(413);
    expect(answer.body.error.type).toBe("request_too_large_error");
  });

  /** [what, body] */
  const ACCEPTED: [string, Record<string, unknown>][] = [
    ["1.5 at its limits", { ...BASIC, duration: 12, quality: "480p", aspect_ratio: "21:9", generate_audio: false, image_urls: img(2) }],
    ["1.5 duration 4, adaptive", { ...BASIC, duration: 4, aspect_ratio: "adaptive" }],
    ["2.0 text-to-video 15 s 1080p", { model: T2V, prompt: "x", duration: 15, quality: "1080p" }],
    ["2.0 image-to-video, first-last frame", { model: I2V, prompt: "x", image_urls: img(2) }],
    ["reference 9 images 3 videos 3 audios", { model: REF, prompt: "@Image1", image_urls: img(9), video_urls: img(3), audio_urls: img(3) }],
    ["fast and mini tiers", { model: "seedance-2.0-fast-text-to-video", prompt: "x", quality: "1080p" }],
    ["mini tier", { model: "seedance-2.0-mini-reference-to-video", prompt: "x", video_urls: img(1) }],
    ["an unknown seedance model", { model: "seedance-3.0-dream", prompt: "x", duration: 15 }],
    ["unknown extra fields", { ...BASIC, seed: 42 }],
    ["a CJK prompt of 1000 characters", { ...BASIC, prompt: "雨".repeat(1000) }],
  ];

  it.each(ACCEPTED)("accepts %s", async (_what, body) => {
    const answer = await client(sim).create(body);
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe("pending");
  });

  it("fills in the documented defaults: 5 s, 720p, audio on (about 17.8 credits, the contract's example)", async () => {
    const { body } = await client(sim).create(BASIC);
    expect(body.task_info?.video_duration).toBe(5);
    expect(body.usage).toEqual({ billing_rule: "per_second", credits_reserved: expect.closeTo(17.78, 2), user_group: "default" });
  });

  it("reserves by duration, quality and audio at the public default prices", async () => {
    const { body } = await client(sim).create({ ...BASIC, duration: 5, quality: "480p", generate_audio: false });
    expect(body.usage?.credits_reserved).toBeCloseTo(4.09, 2);
  });

  it("reserves at least the minimum a task", async () => {
    const { body } = await client(sim).create({ ...BASIC, duration: 4, quality: "480p", generate_audio: false });
    expect(body.usage?.credits_reserved).toBe(3.4445);
  });
});
