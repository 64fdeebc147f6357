import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import {
  applyPick,
  approvedSelection,
  emptyPicks,
  parsePicks,
  picksPathFor,
  readPicks,
  reviewOf,
  shotHash,
  shotHashes,
  writePicks,
  type PickChange,
  type Picks,
} from "../../src/review/picks.js";
import { makeBatch, makeRequest } from "../helpers/fixtures.js";

const HASH = shotHash(makeRequest());
const CHANGED = shotHash(makeRequest({ prompt: "A lighthouse at dawn" }));

function picked(...changes: [string, PickChange][]): Picks {
  return changes.reduce((picks, [shotId, change]) => applyPick(picks, shotId, change, HASH), emptyPicks());
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shotlist-picks-"));
  return () => rm(dir, { recursive: true, force: true });
});

describe("the picks file", () => {
  it("sits beside the manifest, named after it", () => {
    expect(picksPathFor("shots/trailer.yaml")).toBe("shots/trailer.yaml.picks.yaml");
  });

  it("reads back what was written: decision, chosen take per profile, note and hash", async () => {
    const path = join(dir, "m.yaml.picks.yaml");
    const picks = picked(["s1", { take: 2, profile: "draft" }], ["s1", { note: "the wave at 0:02" }], ["s2", { decision: "rejected" }]);
    await writePicks(path, picks, ["s1", "s2"]);
    const back = await readPicks(path);
    expect(back.shots.get("s1")).toEqual({ decision: "approved", takes: { draft: 2 }, note: "the wave at 0:02", shot: HASH });
    expect(back.shots.get("s2")).toEqual({ decision: "rejected", shot: HASH });
  });

  it("is plain YAML a person can read, shots in manifest order", async () => {
    const path = join(dir, "m.yaml.picks.yaml");
    await writePicks(path, picked(["s2", { decision: "approved" }], ["s1", { take: 1, profile: null }]), ["s1", "s2"]);
    const text = await readFile(path, "utf8");
    expect(text).toContain(`shots:\n  s1:\n    decision: approved\n    takes:\n      (none): 1\n    shot: ${HASH}\n  s2:\n`);
    expect(text.startsWith("# Review decisions")).toBe(true);
  });

  it("is replaced whole, leaving no temporary file beside it", async () => {
    const path = join(dir, "m.yaml.picks.yaml");
    await writePicks(path, picked(["s1", { decision: "approved" }]));
    await writePicks(path, picked(["s1", { decision: "rejected" }]));
    expect(await readdir(dir)).toEqual(["m.yaml.picks.yaml"]);
  });

  it("missing means nothing decided yet", async () => {
    expect((await readPicks(join(dir, "none.picks.yaml"))).shots.size).toBe(0);
  });

  it("names the line and column of a bad value", () => {
    const text = `version: 1\nshots:\n  s1:\n    decision: maybe\n    shot: ${HASH}\n`;
    expect(() => parsePicks(text, "m.picks.yaml")).toThrow(ManifestError);
    expect(() => parsePicks(text, "m.picks.yaml")).toThrow(/m\.picks\.yaml:4:15: .*decision must be "approved" or "rejected" \(got "maybe"\)/);
  });

  it("refuses an unknown key and a take that is no take number", () => {
    expect(() => parsePicks(`version: 1\nshots:\n  s1:\n    aproved: true\n    shot: ${HASH}\n`, "p")).toThrow(/p:4:5: .*unknown key "aproved"/);
    expect(() => parsePicks(`version: 1\nshots:\n  s1:\n    takes: { draft: 0 }\n    shot: ${HASH}\n`, "p")).toThrow(/takes\.draft must be a take number/);
  });

  it("keeps a shot named like an object property as just a shot", () => {
    const picks = parsePicks(`version: 1\nshots:\n  constructor:\n    decision: approved\n    shot: ${HASH}\n`, "p");
    expect(reviewOf(picks, "constructor", HASH, null).state).toBe("approved");
    expect(reviewOf(picks, "toString", HASH, null).state).toBe("to review");
  });
});

describe("a decision", () => {
  it("picking a take approves the shot and records the take under its profile", () => {
    const picks = picked(["s1", { take: 3, profile: "draft" }]);
    expect(reviewOf(picks, "s1", HASH, "draft")).toEqual({ state: "approved", stale: false, take: 3 });
    expect(reviewOf(picks, "s1", HASH, null)).toEqual({ state: "approved", stale: false });
  });

  it("rejecting forgets the chosen takes; undoing returns the shot to review and keeps its note", () => {
    expect(picked(["s1", { take: 2, profile: null }], ["s1", { decision: "rejected" }]).shots.get("s1")).toEqual({ decision: "rejected", shot: HASH });
    const undone = picked(["s1", { note: "too dark" }], ["s1", { decision: "approved" }], ["s1", { decision: null }]);
    expect(reviewOf(undone, "s1", HASH, null)).toEqual({ state: "to review", stale: false, note: "too dark" });
  });

  it("is stale once the shot changed, and a new decision makes it current again", () => {
    const picks = picked(["s1", { decision: "approved" }]);
    expect(reviewOf(picks, "s1", CHANGED, null)).toEqual({ state: "approved", stale: true });
    expect(reviewOf(applyPick(picks, "s1", { decision: "approved" }, CHANGED), "s1", CHANGED, null).stale).toBe(false);
  });

  it("a note alone does not make a stale decision current", () => {
    const picks = applyPick(picked(["s1", { decision: "approved" }]), "s1", { note: "checked" }, CHANGED);
    expect(reviewOf(picks, "s1", CHANGED, null).stale).toBe(true);
  });

  it("refuses a take that is not a whole number from 1", () => {
    expect(() => picked(["s1", { take: 0, profile: null }])).toThrow(/take must be a whole number 1\.\.20, got 0/);
  });
});

describe("the shot's hash", () => {
  it("changes with the prompt, the inputs and the settings", () => {
    expect(CHANGED).not.toBe(HASH);
    expect(shotHash(makeRequest({ image_urls: ["https://example.com/a.png"] }))).not.toBe(HASH);
    expect(shotHash(makeRequest({ duration: 8 }))).not.toBe(HASH);
  });

  it("is one per shot, from the batch without a profile only", () => {
    expect([...shotHashes(makeBatch(2)).keys()]).toEqual(["s1", "s2"]);
    expect(() => shotHashes(makeBatch(2, { profile: "draft" }))).toThrow(/without a profile/);
  });
});

describe("the approved selection", () => {
  it("renders approved and current shots, and says why each other shot is left out", () => {
    const hashes = new Map([
      ["s1", HASH],
      ["s2", HASH],
      ["s3", CHANGED],
      ["s4", HASH],
    ]);
    const picks = picked(["s1", { take: 1, profile: "draft" }], ["s2", { decision: "rejected" }], ["s3", { decision: "approved" }]);
    expect(approvedSelection(picks, hashes)).toEqual({
      approved: ["s1"],
      unapproved: [
        { shotId: "s2", reason: "rejected" },
        { shotId: "s3", reason: "stale" },
        { shotId: "s4", reason: "to review" },
      ],
    });
  });

  it("counts a take chosen by hand in the file, without a decision, as approved", () => {
    const picks = parsePicks(`version: 1\nshots:\n  s1:\n    takes: { draft: 2 }\n    shot: ${HASH}\n`, "p");
    expect(approvedSelection(picks, new Map([["s1", HASH]])).approved).toEqual(["s1"]);
  });
});
