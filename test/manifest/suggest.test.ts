import { describe, expect, it } from "vitest";
import { closest, startingLike } from "../../src/manifest/suggest.js";

const IDS = ["seedance-1.5-pro", "seedance-2.0-text-to-video", "seedance-2.0-fast-text-to-video"];

describe("startingLike", () => {
  it("finds the ids a word is the beginning of, shortest first", () => {
    expect(startingLike("seedance-2.0", IDS)).toEqual(["seedance-2.0-text-to-video", "seedance-2.0-fast-text-to-video"]);
  });

  it("allows a typo in the beginning", () => {
    expect(startingLike("seedence-2.0-fast", IDS)).toEqual(["seedance-2.0-fast-text-to-video"]);
  });

  it("keeps only the nearest beginnings: another version is not suggested beside the one written", () => {
    expect(startingLike("seedance-1.5", IDS)).toEqual(["seedance-1.5-pro"]);
  });

  it("finds nothing for a word too short to say which", () => {
    expect(startingLike("seed", IDS)).toEqual([]);
  });

  it("finds nothing for a name of another family", () => {
    expect(startingLike("veo-3-fast", IDS)).toEqual([]);
  });

  it("is needed: the closest id is too many edits away from a cut-off name", () => {
    expect(closest("seedance-2.0", IDS)).toBeUndefined();
  });
});
