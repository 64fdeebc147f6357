import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { hashFile } from "../../src/download/hash-file.js";

describe("hashFile", () => {
  it.each([0, 1, 3 * 65536 + 17])("hashes a %i-byte file", async (size) => {
    const dir = await mkdtemp(join(tmpdir(), "shotlist-hash-"));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const content = randomBytes(size);
    await writeFile(join(dir, "f"), content);
    expect(await hashFile(join(dir, "f"))).toEqual({ bytes: size, sha256: createHash("sha256").update(content).digest("hex") });
  });

  it("rejects a missing file with its errno", async () => {
    await expect(hashFile("/nonexistent/shotlist/file")).rejects.toMatchObject({ code: "ENOENT" });
  });
});
