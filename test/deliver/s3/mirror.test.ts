import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { useS3Proxy } from "../../helpers/s3-proxy.js";
import { hasMoto, useMoto, useS3rver, type TestStore } from "../../helpers/s3-servers.js";
import { never, objectBytes, useBatchFolder, useMirror } from "./mirror-fixtures.js";

const SERVERS: [string, () => Promise<TestStore>, boolean][] = [
  ["s3rver", useS3rver, true],
  ["moto_server", useMoto, hasMoto],
];

async function keysIn(store: TestStore): Promise<string[]> {
  return ((await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket }))).Contents ?? []).map((o) => o.Key ?? "").sort();
}

for (const [server, use, present] of SERVERS) {
  describe.skipIf(!present)(`the S3 mirror against ${server}${present ? "" : " (skipped: moto_server is not on PATH)"}`, { timeout: 60_000 }, () => {
    it("puts the clip at PREFIX/<batch>/<path in the batch folder>, its sidecar beside it, with the job in the metadata", async () => {
      const [store, folder] = await Promise.all([use(), useBatchFolder()]);
      const clip = await folder.clip("s01", 2000);

      const sent = await useMirror(store, folder).send(clip, { afterAttempt: false }, never);

      const key = `out/nightly/${clip.outputPath}`;
      expect(sent).toMatchObject({ objectKey: key, url: `s3://clips/${key}`, uploaded: true, checksum: Buffer.from(clip.sha256, "hex").toString("base64") });
      expect(await keysIn(store)).toEqual([key.replace(/\.mp4$/, ".json"), key]);
      expect(await objectBytes(store, key)).toEqual({
        sha256: clip.sha256,
        metadata: { "shotlist-job-key": "key-s01", "shotlist-task-id": "task-key-s01", "shotlist-sha256": clip.sha256, "shotlist-prompt-hash": "ph" },
      });
    });

    it("writes and deletes its probe under the prefix, leaving the bucket as it was", async () => {
      const [store, folder] = await Promise.all([use(), useBatchFolder()]);
      const proxy = await useS3Proxy(store.endpoint);

      await useMirror(store, folder, { endpoint: proxy.url }).probe();

      expect(proxy.requests.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{16}$/, "<random>")}`)).toEqual([
        "PUT /clips/out/.shotlist-probe-<random>",
        "DELETE /clips/out/.shotlist-probe-<random>",
      ]);
      expect(await keysIn(store)).toEqual([]);
    });

    it("keeps an edited shot's earlier object (and sidecar) under history/, named by its job key, as on disk", async () => {
      const [store, folder] = await Promise.all([use(), useBatchFolder()]);
      const mirror = useMirror(store, folder);
      const first = await folder.clip("s01", 1500, "key-first");
      await mirror.send(first, { afterAttempt: false }, never);
      const edit = await folder.clip("s01", 1500, "key-edit");

      const sent = await mirror.send(edit, { afterAttempt: false }, never);

      const key = `out/nightly/${edit.outputPath}`;
      const kept = key.replace(/s01_take-01\.mp4$/, "history/s01_take-01.key-first.mp4");
      expect(sent.movedToHistory).toBe(`s3://clips/${kept}`);
      expect((await objectBytes(store, kept)).sha256).toBe(first.sha256);
      expect((await objectBytes(store, key)).sha256).toBe(edit.sha256);
      expect(await keysIn(store)).toEqual([kept.replace(/\.mp4$/, ".json"), kept, key.replace(/\.mp4$/, ".json"), key].sort());
    });

    it("does not send again a clip a killed run uploaded whole but never recorded", async () => {
      const [store, folder] = await Promise.all([use(), useBatchFolder()]);
      const clip = await folder.clip("s01", 1500);
      await useMirror(store, folder).send(clip, { afterAttempt: false }, never);
      const proxy = await useS3Proxy(store.endpoint);

      const sent = await useMirror(store, folder, { endpoint: proxy.url }).send(clip, { afterAttempt: false }, never);

      expect(sent.uploaded).toBe(false);
      expect(proxy.requests.filter((r) => r.method === "PUT").map((r) => r.path)).toEqual([`/clips/out/nightly/${clip.outputPath.replace(/\.mp4$/, ".json")}`]);
    });

    it("checks with one HEAD that the object has the clip's size and sha256", async () => {
      const [store, folder] = await Promise.all([use(), useBatchFolder()]);
      const mirror = useMirror(store, folder);
      const clip = await folder.clip("s01", 1500);
      await mirror.send(clip, { afterAttempt: false }, never);

      expect(await mirror.check(clip)).toBe(true);
      expect(await mirror.check({ ...clip, sha256: "0".repeat(64) })).toBe(false);
      expect(await mirror.check({ ...clip, outputPath: "s09/elsewhere.mp4" })).toBe(false);
    });
  });
}
