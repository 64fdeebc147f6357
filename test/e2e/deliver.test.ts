import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useS3rver } from "../helpers/s3-servers.js";
import { useS3Proxy } from "../helpers/s3-proxy.js";
import { ALL_DONE, createsPerKey, jobOutcomes, readTree, statusRows, useWorkspace } from "./e2e-helpers.js";
import { bucketObjects, runDelivering, sha256, TARGET, uploads } from "./deliver-helpers.js";

/** A few runs of the CLI each, seconds apiece on a loaded machine. */
const SEVERAL_RUNS = { timeout: 120_000 };

describe("run --deliver s3://", SEVERAL_RUNS, () => {
  it("puts every clip and its sidecar under PREFIX/<batch>/ with the local layout, each object hashing to the clip's sha256", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);

    const run = await runDelivering(ws, store).result;

    expect(run.code, run.stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
    const objects = await bucketObjects(store);
    const rows = await statusRows(ws);
    const expected = new Map<string, string>();
    for (const row of rows) {
      const clip = row.output_path ?? "";
      const sidecar = clip.replace(/\.mp4$/, ".json");
      expected.set(`nightly/e2e/${clip}`, row.sha256 ?? "");
      expected.set(`nightly/e2e/${sidecar}`, sha256(await readFile(join(ws.batchDir, sidecar))));
      expect(objects.get(`nightly/e2e/${clip}`)?.metadata).toEqual({
        "shotlist-job-key": row.key,
        "shotlist-task-id": row.task_id,
        "shotlist-sha256": row.sha256,
        "shotlist-prompt-hash": row.prompt_hash,
      });
    }
    expect(new Map([...objects].map(([key, o]) => [key, o.sha256]))).toEqual(expected);
  });

  it("shows each job's object URL and checksum in status and report.json", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    expect((await runDelivering(ws, store).result).code).toBe(0);

    const rows = await statusRows(ws);
    const report = JSON.parse(await readFile(join(ws.batchDir, "report.json"), "utf8")) as { jobs: { key: string; deliveries: unknown[] }[] };

    for (const row of rows) {
      const delivery = {
        target: TARGET,
        state: "delivered",
        url: `s3://clips/nightly/e2e/${row.output_path}`,
        checksum: Buffer.from(row.sha256 ?? "", "hex").toString("base64"),
      };
      expect((row as unknown as { deliveries: unknown[] }).deliveries).toEqual([expect.objectContaining(delivery)]);
      expect(report.jobs.find((j) => j.key === row.key)?.deliveries).toEqual([expect.objectContaining(delivery)]);
    }
  });

  it("uploads nothing on a rerun of a delivered batch, and only HEADs each clip with --verify", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    expect((await runDelivering(ws, store).result).code).toBe(0);
    const proxy = await useS3Proxy(store.endpoint);

    const rerun = await runDelivering(ws, store, [], proxy).result;
    const rerunRequests = proxy.requests.filter((r) => !r.path.includes(".shotlist-probe-")).length;
    const verified = await runDelivering(ws, store, ["--verify"], proxy).result;

    expect([rerun.code, verified.code]).toEqual([0, 0]);
    expect(rerunRequests).toBe(0);
    expect(uploads(proxy)).toEqual([]);
    // Four at a time: in any order.
    expect(
      proxy.requests
        .filter((r) => r.method === "HEAD")
        .map((r) => r.path)
        .sort(),
    ).toEqual((await statusRows(ws)).map((row) => `/clips/nightly/e2e/${row.output_path}`).sort());
  });

  it("never writes or prints the store's credentials", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    // A failed probe prints the store's refusal: that message too must hold no secret.
    const refused = await runDelivering(ws, store, [], undefined, { AWS_ACCESS_KEY_ID: "AKIAWRONGBEEF", AWS_SECRET_ACCESS_KEY: "wrong-secret-f00d" }).result;
    const run = await runDelivering(ws, store, ["--json"]).result;
    const status = await runDelivering(ws, store).result;

    const printed = [refused, run, status].map((r) => r.stdout + r.stderr).join("");
    const written = (await readTree(ws.dir)).map((f) => f.bytes.toString("latin1")).join("");
    expect(refused.code).toBe(3);
    for (const secret of [store.env.AWS_SECRET_ACCESS_KEY ?? "", store.env.AWS_ACCESS_KEY_ID ?? "", "AKIAWRONGBEEF", "wrong-secret-f00d"]) {
      expect(printed).not.toContain(secret);
      expect(written).not.toContain(secret);
    }
    expect(run.code).toBe(0);
  });

  it.each([
    // s3rver checks the key id (it does not check SigV4 signatures).
    [
      "wrong credentials",
      { AWS_ACCESS_KEY_ID: "AKIAWRONG0000", AWS_SECRET_ACCESS_KEY: "not-the-secret" },
      "cannot deliver to s3://clips/nightly: the store refused the credentials (InvalidAccessKeyId, HTTP 403)",
    ],
    ["a missing bucket", {}, "cannot deliver to s3://absent/nightly: the bucket absent does not exist (NoSuchBucket, HTTP 404)"],
  ])("ends with exit 3 before any create on %s", async (what, env, message) => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    const args = what === "a missing bucket" ? ["--deliver", "s3://absent/nightly"] : [];

    const run = await runDelivering(ws, store, args, undefined, env).result;

    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(message);
    expect(ws.sim.ledger.creates).toEqual([]);
  });

  it("retries a storm of 503s with backoff, then names each clip it could not deliver and exits 1", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    const proxy = await useS3Proxy(store.endpoint);
    proxy.fault = (req) => (req.method === "PUT" && req.path.endsWith(".mp4") ? 503 : undefined);

    const run = await runDelivering(ws, store, [], proxy).result;

    expect(run.code, run.stderr).toBe(1);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
    for (const shot of ["s01", "s02", "s03"]) {
      expect(proxy.requests.filter((r) => r.method === "PUT" && r.path.includes(`/${shot}/`))).toHaveLength(5);
      expect(run.stderr).toMatch(new RegExp(`not delivered: ${shot} take 1: .*503.*\\(the next run uploads it\\)`));
    }
    expect((await statusRows(ws)).map((r) => (r as unknown as { deliveries: { state: string }[] }).deliveries[0]?.state)).toEqual([
      "failed",
      "failed",
      "failed",
    ]);
  });

  it("delivers once a short storm passes, within the retries", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    const proxy = await useS3Proxy(store.endpoint);
    let failures = 4;
    proxy.fault = (req) => (req.method === "PUT" && req.path.endsWith(".mp4") && failures-- > 0 ? 503 : undefined);

    const run = await runDelivering(ws, store, [], proxy).result;

    expect(run.code, run.stderr).toBe(0);
    expect([...(await bucketObjects(store)).keys()].filter((k) => k.endsWith(".mp4"))).toHaveLength(3);
  });

  it("after a SIGKILL during the uploads, a rerun delivers every clip, creating nothing again and leaving no partial object", async () => {
    const [ws, store] = await Promise.all([useWorkspace(), useS3rver()]);
    const proxy = await useS3Proxy(store.endpoint);
    proxy.fault = (req) => (req.method === "PUT" && req.path.includes("/s02/") ? "hold" : undefined);
    const first = runDelivering(ws, store, [], proxy);
    await proxy.seen((req) => req.method === "PUT" && req.path.includes("/s02/"));
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    proxy.fault = () => undefined;

    const rerun = await runDelivering(ws, store, [], proxy).result;

    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(3));
    expect(createsPerKey(ws)).toEqual([1, 1, 1]);
    const objects = await bucketObjects(store);
    for (const row of await statusRows(ws)) expect(objects.get(`nightly/e2e/${row.output_path}`)?.sha256).toBe(row.sha256);
    expect(objects.size).toBe(6);
  });
});
