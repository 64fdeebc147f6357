import { describe, expect, it } from "vitest";
import { decideUnderCap, type Spent } from "../../src/runner/decide.js";

const spent = (over: Partial<Spent> = {}): Spent => ({ reserved: 0, lost: 0, onWire: 0, unpriced: 0, ...over });

describe("the next create under a credit cap of 100", () => {
  it.each([
    ["fits exactly", spent({ reserved: 60, onWire: 20 }), 20, "send"],
    ["goes over with creates on the wire: waits for their answers", spent({ reserved: 60, onWire: 20 }), 21, "wait"],
    ["goes over with nothing on the wire: stops", spent({ reserved: 80 }), 21, "stop"],
    ["a lost create counts in full", spent({ reserved: 60, lost: 30 }), 11, "stop"],
    ["no estimate, cap left, nothing on the wire: goes alone", spent({ reserved: 60 }), undefined, "send"],
    ["no estimate while others are on the wire: waits", spent({ reserved: 10, onWire: 5 }), undefined, "wait"],
    ["no estimate with the cap used up: stops", spent({ reserved: 100 }), undefined, "stop"],
    ["anything while a create of unknown price is on the wire: waits", spent({ unpriced: 1 }), 1, "wait"],
  ] as const)("%s", (_, counted, next, step) => {
    expect(decideUnderCap(100, counted, next)).toBe(step);
  });
});
