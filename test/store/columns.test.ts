import { describe, expect, it } from "vitest";
import { JOB_COLUMNS, JOB_SELECT_LIST, rowOf } from "../../src/store/columns.js";

describe("a job row read as raw values", () => {
  it("takes each field from its own column of the SELECT list", () => {
    // Each value is its column's name: a field read from another position shows that position's name.
    const row = rowOf(JOB_SELECT_LIST.split(", "));
    expect(Object.entries(row).filter(([field, value]) => field !== value)).toEqual([]);
    expect(Object.keys(row).sort()).toEqual([...JOB_COLUMNS].sort());
  });
});
