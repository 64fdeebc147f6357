import { describe, expect, it } from "vitest";
import { selectShots } from "../../src/manifest/select.js";
import { makeBatch, makeJob } from "../helpers/fixtures.js";

const ids = ["intro", "s01", "s02", "s03", "s10", "outro"];
const batch = makeBatch(0, { jobs: ids.map((id, i) => makeJob(i + 1, { shotId: id })) });
const chosen = (selection: { only?: string; except?: string }): string[] => selectShots(batch, selection).jobs.map((j) => j.shotId);

describe("selecting shots by id", () => {
  it.each([
    [{ only: "s0*" }, ["s01", "s02", "s03"]],
    [{ only: "s0[1-2],outro" }, ["s01", "s02", "outro"]],
    [{ only: "s?0" }, ["s10"]],
    [{ only: "s0[!1]" }, ["s02", "s03"]],
    [{ except: "s*" }, ["intro", "outro"]],
    [{ only: "s*", except: "s1?,s03" }, ["s01", "s02"]],
    [{}, ids],
  ])("%j selects %j", (selection, expected) => {
    expect(chosen(selection)).toEqual(expected);
  });

  it("takes a dot in a pattern literally", () => {
    const dotted = makeBatch(0, { jobs: [makeJob(1, { shotId: "a.1" }), makeJob(2, { shotId: "ab1" })] });
    expect(selectShots(dotted, { only: "a.1" }).jobs.map((j) => j.shotId)).toEqual(["a.1"]);
  });

  it("refuses a pattern that matches no shot, naming the closest ids", () => {
    expect(() => chosen({ only: "s04" })).toThrow(/--only "s04" matches no shot; closest: s01, s02, s03/);
    expect(() => chosen({ except: "intor" })).toThrow(/--except "intor" matches no shot; closest: intro/);
  });
});
