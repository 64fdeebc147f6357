/**
 * Fails every test that leaves a server, socket, child process, timer or open
 * file (an unclosed SQLite store) behind, and every test file whose beforeAll
 * opens one that its afterAll does not close. Registered as vitest's
 * setupFiles, so its hooks come first: the check is the first onTestFinished
 * registered, and vitest runs those in reverse, after afterEach; the test's
 * own cleanup has run by the time it looks.
 */
import { afterAll, beforeAll, beforeEach, onTestFinished } from "vitest";
import { leaksSince, takeSnapshot, type Snapshot } from "./leaks.js";

function fail(what: string, found: string[]): never {
  throw new Error(
    `${what} left ${found.length} thing(s) open; close them in afterEach, onTestFinished or finally:\n${found.map((f) => `  - ${f}`).join("\n")}`,
  );
}

let atFileStart: Snapshot;
beforeAll(() => {
  atFileStart = takeSnapshot();
});
afterAll(async () => {
  const found = await leaksSince(atFileStart);
  if (found.length > 0) fail("this test file (beforeAll/afterAll)", found);
});

beforeEach(() => {
  const before = takeSnapshot();
  onTestFinished(async () => {
    const found = await leaksSince(before);
    if (found.length > 0) fail("the test", found);
  });
});
