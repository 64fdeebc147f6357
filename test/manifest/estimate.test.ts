import { describe, expect, it } from "vitest";
import { ObservedRates, publicCredits } from "../../src/manifest/estimate.js";
import { makeRequest } from "../helpers/fixtures.js";

const seedance15 = (over: Parameters<typeof makeRequest>[0] = {}) => makeRequest({ model: "seedance-1.5-pro", ...over });

describe("public default estimates", () => {
  it.each([
    ["5 s at 720p with audio", seedance15({ duration: 5, quality: "720p", generate_audio: true }), 17.784],
    ["5 s at 480p silent", seedance15({ duration: 5, quality: "480p", generate_audio: false }), 4.0903],
    ["4 s at 480p silent: the minimum a task", seedance15({ duration: 4, quality: "480p", generate_audio: false }), 3.4445],
    ["Seedance 2.0, 5 s at 720p", makeRequest({ model: "seedance-2.0-text-to-video", duration: 5 }), 67.5],
    ["Seedance 2.0 fast, 5 s at 1080p", makeRequest({ model: "seedance-2.0-fast-text-to-video", duration: 5, quality: "1080p" }), 102.5],
  ])("%s", (_, request, credits) => {
    expect(publicCredits(request)).toBeCloseTo(credits, 3);
  });

  it("has none for a model without a published price, and says so", () => {
    expect(publicCredits(makeRequest({ model: "seedance-2.0-mini-text-to-video" }))).toBeUndefined();
    expect(new ObservedRates().estimate(makeRequest({ model: "veo-3.1-generate-preview" }))).toEqual({ credits: undefined, from: "none" });
  });
});

describe("observed rates", () => {
  it("replace the public price for the same model, quality and audio, per second", () => {
    const rates = new ObservedRates();
    rates.observe(seedance15({ duration: 5 }), 30);
    expect(rates.estimate(seedance15({ duration: 10 }))).toEqual({ credits: 60, from: "observed" });
    expect(rates.estimate(seedance15({ duration: 5, generate_audio: true })).from).toBe("public");
  });
});
