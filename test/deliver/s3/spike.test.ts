import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { it, expect, vi } from "vitest";
import { createS3Mirror } from "../../../src/deliver/s3/s3-mirror.js";
import { useS3rver, useMoto } from "../../helpers/s3-servers.js";

for (const [name, use] of [["s3rver", useS3rver], ["moto", useMoto]] as const) {
  it(`spike ${name}`, async () => {
    const store = await use();
    for (const [k, v] of Object.entries(store.env)) vi.stubEnv(k, v);
    const root = await mkdtemp(join(tmpdir(), "spike-"));
    for (const size of [1000, 12 * 1024 * 1024]) {
      const body = randomBytes(size);
      const sha = createHash("sha256").update(body).digest("hex");
      await writeFile(join(root, `c${size}.mp4`), body);
      await writeFile(join(root, `c${size}.json`), "{}");
      const mirror = createS3Mirror({ target: `s3://${store.bucket}/night`, settings: { pathStyle: true }, env: process.env, root, batch: "b", multipart: { threshold: 6 * 1024 * 1024, partSize: 5 * 1024 * 1024 } });
      await mirror.probe();
      const clip = { job: { key: "k1", task_id: "t1", prompt_hash: "p" }, outputPath: `c${size}.mp4`, bytes: size, sha256: sha };
      const d = await mirror.send(clip, { afterAttempt: true }, new AbortController().signal);
      console.log(name, size, d);
      const again = await mirror.send({ ...clip, job: { ...clip.job, key: "k2" } }, { afterAttempt: false }, new AbortController().signal).catch((e: unknown) => e);
      console.log(name, "again", again);
      const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: d.objectKey }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(sha);
      console.log(await mirror.check(clip));
      mirror.close();
    }
  }, 60000);
}
