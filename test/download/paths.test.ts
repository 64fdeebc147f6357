import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInside } from "../../src/download/paths.js";

const root = "/out/batch";

describe("resolveInside", () => {
  it.each([
    [["shot-a", "take-01.mp4"], "/out/batch/shot-a/take-01.mp4"],
    [["draft/shot-a", "take-01.mp4"], "/out/batch/draft/shot-a/take-01.mp4"],
    [["a/../b.mp4"], "/out/batch/b.mp4"],
    [["..shot"], "/out/batch/..shot"], // a name that starts with two dots is still inside
    [[], "/out/batch"],
  ])("%j -> %s", (segments, expected) => {
    expect(resolveInside(root, ...segments)).toBe(expected);
  });

  it("resolves a relative root against the working directory", () => {
    expect(resolveInside("out", "a.mp4")).toBe(join(resolve("out"), "a.mp4"));
  });

  it.each([
    [["..", "elsewhere.mp4"], /leads outside/],
    [["shot/../../x"], /leads outside/],
    [["../batch-other/x"], /leads outside/],
    [[".."], /leads outside/],
    [["/etc/passwd"], /absolute/],
    [["shot\0.mp4"], /NUL byte/],
  ])("refuses %j", (segments, why) => {
    expect(() => resolveInside(root, ...segments)).toThrow(why);
  });
});
