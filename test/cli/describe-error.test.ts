import { describe, expect, it } from "vitest";
import { describeError } from "../../src/cli/describe-error.js";
import { ShotlistError, coerceError } from "../../src/errors.js";

/** The lines of a printed error that are not stack frames. */
const headlines = (text: string): string[] => text.split("\n").filter((line) => !/^\s+at /.test(line));

describe("the error the CLI prints as it exits", () => {
  it("is only the message for an expected condition, whatever caused it", () => {
    const err = new ShotlistError("auth", "the API refused the key", { cause: new Error("401") });
    expect(describeError(err)).toBe("the API refused the key");
  });

  it("carries the stack of an error that is not a ShotlistError", () => {
    const text = describeError(new TypeError("cannot read properties of undefined"));
    expect(headlines(text)).toEqual(["TypeError: cannot read properties of undefined"]);
    expect(text).toMatch(/\n\s+at .*describe-error\.test\.ts/);
  });

  it("carries the stack and every cause of an internal ShotlistError", () => {
    const root = Object.assign(new Error("SQLITE_MISUSE"), { cause: { errno: 21 } });
    const err = new ShotlistError("internal", "Job k1 is not in state queued (it is done)", { cause: root });
    const text = describeError(err);
    expect(headlines(text)).toEqual([
      "ShotlistError: Job k1 is not in state queued (it is done)",
      "caused by: Error: SQLITE_MISUSE",
      "caused by: { errno: 21 }",
    ]);
    expect(text.split("\n").filter((line) => /^\s+at /.test(line)).length).toBeGreaterThan(1);
  });

  it("stops at a cause that comes round again", () => {
    const err = new Error("outer");
    err.cause = new Error("inner", { cause: err });
    expect(headlines(describeError(err))).toEqual(["Error: outer", "caused by: Error: inner"]);
  });

  it("keeps a thrown value that is not an Error as the cause", () => {
    const thrown = { status: 500 };
    expect(coerceError(thrown).cause).toBe(thrown);
    expect(headlines(describeError("disk on fire"))).toEqual(["Error: disk on fire", "caused by: 'disk on fire'"]);
  });

  it("shows control characters as U+FFFD and keeps the message's lines", () => {
    const err = new ShotlistError("usage", 'unknown command "\x1b[2Jrun\r"\nexpected one of: run');
    expect(describeError(err)).toBe('unknown command "\ufffd[2Jrun\ufffd"\nexpected one of: run');
  });
});
