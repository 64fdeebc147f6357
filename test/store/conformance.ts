/**
 * What every implementation of the Store port must do, written against the
 * port alone (every call awaited), so a PostgreSQL store can run the same
 * suite as the SQLite one: `describeStoreConformance("name", open)`.
 */
import { describe, expect, it } from "vitest";
import type { DeliveryRow, EventInput, JobRow, JobState } from "../../src/model/index.js";
import type { Store } from "../../src/store/index.js";
import { makeBatch, makeJob } from "../helpers/fixtures.js";
import { jobId, manualClock } from "./helpers.js";

/** Opens a store at a place of its own; the same `place` opens the same state again. Closed when the test ends. */
export type OpenStore = (options: { now?: () => number; place?: string }) => Promise<Store>;

/** A new place for a store, shared by the stores of one test that open it. */
export type NewPlace = () => string;

function move(n: number, from: JobState, to: JobState, patch: Partial<JobRow> = {}, event?: EventInput) {
  return { id: jobId(n), move: { from, to }, patch, ...(event === undefined ? {} : { event }) };
}

/** The commit as a promise, whether the store throws at once (SQLite) or rejects later. */
function committing(store: Store, changes: Parameters<Store["commit"]>[0]): Promise<void> {
  return Promise.resolve().then(() => store.commit(changes));
}

export function describeStoreConformance(name: string, open: OpenStore, newPlace: NewPlace): void {
  describe(`${name}: the Store port`, () => {
    describe("syncJobs", () => {
      it("adds a queued row for every job of a new batch", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });

        expect(await store.syncJobs(makeBatch(2))).toEqual({ added: 2, existing: 0 });
        const job = await store.getJob(jobId(1));
        expect(job).toMatchObject({
          shot_id: "s1",
          take: 1,
          mode: "text-to-video",
          state: "queued",
          attempts: 0,
          generation: 0,
          progress: 0,
          task_id: null,
          created_at_ms: clock.now(),
          updated_at_ms: clock.now(),
        });
        expect(JSON.parse(job?.request_json ?? "")).toEqual(makeJob(1).request);
      });

      it("is idempotent: a second sync of the same batch adds nothing and changes nothing", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(3));
        await store.commit([move(1, "queued", "submitting")]);

        expect(await store.syncJobs(makeBatch(3))).toEqual({ added: 0, existing: 3 });
        expect((await store.getJob(jobId(1)))?.state).toBe("submitting");
      });

      it("adds only the keys it has not seen when the manifest grows", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(2));

        expect(await store.syncJobs(makeBatch(5))).toEqual({ added: 3, existing: 2 });
        expect(await store.listJobs("trailer", "")).toHaveLength(5);
      });

      it("keeps a profile's jobs apart from the same keys without a profile", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(2));

        expect(await store.syncJobs(makeBatch(2, { profile: "draft" }))).toEqual({ added: 2, existing: 0 });
        expect((await store.listJobs("trailer", "draft")).map((j) => j.profile)).toEqual(["draft", "draft"]);
        expect(await store.listJobs("trailer", "")).toHaveLength(2);
      });

      it("records 10,000 jobs in one go", async () => {
        const store = await open({});

        expect(await store.syncJobs(makeBatch(10_000))).toEqual({ added: 10_000, existing: 0 });
        expect(await store.listJobs("trailer", "")).toHaveLength(10_000);
      });
    });

    describe("a committed move", () => {
      it("moves a job along a legal edge, applies the patch and stamps the time", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        await store.syncJobs(makeBatch(1));
        clock.advance(1500);

        await store.commit([move(1, "queued", "submitting", { attempts: 1 })]);

        expect(await store.getJob(jobId(1))).toMatchObject({ state: "submitting", attempts: 1, updated_at_ms: clock.now() });
      });

      it("refuses an illegal move, naming the job and both states, and changes nothing", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));

        await expect(committing(store, [move(1, "queued", "done")])).rejects.toThrow(
          expect.objectContaining({ code: "internal", message: expect.stringMatching(/job-1.*queued.*done/) }),
        );
        expect((await store.getJob(jobId(1)))?.state).toBe("queued");
        expect(await store.listEvents("trailer", "", "job-1")).toHaveLength(1); // only "created"
      });

      it("refuses a move from a state the job is not in, saying which state it is in", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));
        await store.commit([move(1, "queued", "submitting")]);

        await expect(committing(store, [move(1, "queued", "submitting", { attempts: 9 })])).rejects.toThrow(
          "Job job-1 is not in state queued (it is submitting)",
        );
        expect((await store.getJob(jobId(1)))?.attempts).toBe(0);
      });

      it("refuses a move of a job that does not exist", async () => {
        const store = await open({});

        await expect(committing(store, [move(7, "queued", "submitting")])).rejects.toThrow("Job job-7 does not exist in batch trailer");
      });

      it("refuses a patch of a column that is not settable, before touching the row", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));

        await expect(committing(store, [move(1, "queued", "submitting", { key: "other" })])).rejects.toThrow("`key`");
        await expect(committing(store, [{ id: jobId(1), patch: { state: "done" } }])).rejects.toThrow("`state`");
        await expect(committing(store, [{ id: jobId(1), patch: { ["progress; DROP TABLE jobs" as "progress"]: 1 } }])).rejects.toThrow("DROP TABLE");
        expect((await store.getJob(jobId(1)))?.state).toBe("queued");
      });

      it("takes the caller's updated_at_ms when the patch carries one", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));

        await store.commit([move(1, "queued", "submitting", { updated_at_ms: 42 })]);

        expect((await store.getJob(jobId(1)))?.updated_at_ms).toBe(42);
        expect((await store.listEvents("trailer", "", "job-1")).at(-1)?.at_ms).toBe(42);
      });
    });

    describe("events", () => {
      it("appends one event per move and per change that carries one, in the order they happened", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        await store.syncJobs(makeBatch(1));
        const start = clock.now();
        clock.advance(10);
        await store.commit([move(1, "queued", "submitting", { attempts: 1 })]);
        clock.advance(10);
        await store.commit([move(1, "submitting", "generating", { task_id: "task-1" }, { kind: "created", detail: { taskId: "task-1" } })]);
        clock.advance(10);
        await store.commit([{ id: jobId(1), patch: {}, event: { kind: "poll-gave-up", detail: { status: 503 } } }]);

        const events = await store.listEvents("trailer", "", "job-1");

        expect(events.map((e) => [e.kind, e.from_state, e.to_state, e.at_ms - start])).toEqual([
          ["created", null, "queued", 0],
          ["transition", "queued", "submitting", 10],
          ["created", "submitting", "generating", 20],
          ["poll-gave-up", null, null, 30],
        ]);
        expect(events.map((e) => e.detail_json)).toEqual([null, null, '{"taskId":"task-1"}', '{"status":503}']);
      });

      it("refuses an event for a job that does not exist", async () => {
        const store = await open({});

        await expect(committing(store, [{ id: jobId(3), patch: {}, event: { kind: "poll-gave-up" } }])).rejects.toThrow(
          "Job job-3 does not exist in batch trailer",
        );
      });

      it("lists the events of a whole batch when no key is given", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(2));

        expect((await store.listEvents("trailer", "")).map((e) => e.key)).toEqual(["job-1", "job-2"]);
      });
    });

    describe("a change that is not a move", () => {
      it("changes columns without a state move, and appends an event only when given one", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));
        await store.commit([move(1, "queued", "submitting"), move(1, "submitting", "generating", { task_id: "task-1" })]);

        await store.commit([{ id: jobId(1), patch: { progress: 40 } }]);
        await store.commit([{ id: jobId(1), patch: { error_message: "upstream busy" }, event: { kind: "poll-gave-up" } }]);

        expect(await store.getJob(jobId(1))).toMatchObject({ state: "generating", progress: 40, error_message: "upstream busy" });
        expect((await store.listEvents("trailer", "", "job-1")).map((e) => e.kind)).toEqual(["created", "transition", "transition", "poll-gave-up"]);
      });

      it("clears a column set to null, and leaves one whose value is undefined", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));
        await store.commit([{ id: jobId(1), patch: { error_message: "boom", error_code: "E1" } }]);

        await store.commit([{ id: jobId(1), patch: { error_message: null, ...({ error_code: undefined } as object) } }]);

        expect(await store.getJob(jobId(1))).toMatchObject({ error_message: null, error_code: "E1" });
      });
    });

    describe("a group of changes", () => {
      it("commits every change of the group together", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(3));

        await store.commit([1, 2, 3].map((n) => move(n, "queued", "submitting")));

        expect((await store.listJobs("trailer", "")).map((r) => r.state)).toEqual(["submitting", "submitting", "submitting"]);
      });

      it("commits none of the group when one of its changes is refused", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(2));
        await store.commit([move(2, "queued", "submitting")]);

        // job 2 already moved
        await expect(committing(store, [move(1, "queued", "submitting"), move(2, "queued", "submitting")])).rejects.toThrow("not in state queued");
        expect((await store.getJob(jobId(1)))?.state).toBe("queued");
        expect(await store.listEvents("trailer", "", "job-1")).toHaveLength(1);
      });
    });

    describe("recordRun", () => {
      const from = (manifest: string, batch = "trailer", profile = "") => ({
        batch,
        profile,
        manifest_path: `./${manifest}`,
        manifest_resolved: `/work/${manifest}`,
      });

      it("says nothing on a batch's first run, and where the run before came from on the next", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        const first = clock.now();

        expect(await store.recordRun(from("a.yaml"))).toBeUndefined();
        clock.advance(1000);
        expect(await store.recordRun(from("b.yaml"))).toEqual({ ...from("a.yaml"), first_run_at_ms: first, last_run_at_ms: first });
        clock.advance(1000);
        expect(await store.recordRun(from("a.yaml"))).toMatchObject({ manifest_resolved: "/work/b.yaml" });
      });

      it("keeps the first and the latest run of each manifest, and the path as last given", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        const first = clock.now();
        await store.recordRun(from("a.yaml"));
        clock.advance(1000);
        await store.recordRun({ ...from("a.yaml"), manifest_path: "../work/a.yaml" });
        clock.advance(1000);

        expect(await store.recordRun(from("b.yaml"))).toEqual({
          ...from("a.yaml"),
          manifest_path: "../work/a.yaml",
          first_run_at_ms: first,
          last_run_at_ms: first + 1000,
        });
      });

      it("keeps batches and profiles apart", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        await store.recordRun(from("a.yaml"));
        clock.advance(1000);

        expect(await store.recordRun(from("b.yaml", "trailer", "draft"))).toBeUndefined();
        expect(await store.recordRun(from("b.yaml", "teaser"))).toBeUndefined();
        expect(await store.recordRun(from("a.yaml"))).toMatchObject({ batch: "trailer", profile: "", manifest_resolved: "/work/a.yaml" });
      });

      it("remembers the runs once the store is opened again", async () => {
        const place = newPlace();
        const clock = manualClock();
        const before = await open({ now: clock.now, place });
        await before.recordRun(from("a.yaml"));
        await before.close();
        clock.advance(1000);

        expect(await (await open({ now: clock.now, place })).recordRun(from("b.yaml"))).toMatchObject({ manifest_resolved: "/work/a.yaml" });
      });
    });

    describe("deliveries", () => {
      const delivery = (n: number, patch: Partial<DeliveryRow> = {}): Omit<DeliveryRow, "updated_at_ms"> => ({
        ...jobId(n),
        target: "s3://clips/nightly",
        state: "uploading",
        object_key: `nightly/trailer/s${n}/clip`,
        sha256: "ab".repeat(32),
        checksum: null,
        etag: null,
        attempts: 1,
        error_message: null,
        started_at_ms: 1000,
        delivered_at_ms: null,
        ...patch,
      });

      it("lists no delivery for a batch that never delivered", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(2));

        expect(await store.listDeliveries("trailer", "")).toEqual([]);
      });

      it("replaces a job's row as its upload moves on, stamping the change", async () => {
        const clock = manualClock();
        const store = await open({ now: clock.now });
        await store.syncJobs(makeBatch(2));
        await store.saveDelivery(delivery(1));
        clock.advance(500);
        await store.saveDelivery(delivery(1, { state: "delivered", checksum: "q83v", etag: '"e1"', delivered_at_ms: clock.now() }));

        expect(await store.listDeliveries("trailer", "")).toEqual([
          { ...delivery(1), state: "delivered", checksum: "q83v", etag: '"e1"', delivered_at_ms: clock.now(), updated_at_ms: clock.now() },
        ]);
      });

      it("keeps one row per target, and profiles apart", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));
        await store.syncJobs(makeBatch(1, { profile: "draft" }));
        await store.saveDelivery(delivery(1));
        await store.saveDelivery(delivery(1, { target: "s3://other/x" }));
        await store.saveDelivery({ ...delivery(1), profile: "draft" });

        expect((await store.listDeliveries("trailer", "")).map((d) => d.target)).toEqual(["s3://clips/nightly", "s3://other/x"]);
        expect(await store.listDeliveries("trailer", "draft")).toHaveLength(1);
      });

      it("refuses a delivery of a job it does not hold", async () => {
        const store = await open({});
        await store.syncJobs(makeBatch(1));

        await expect(Promise.resolve().then(() => store.saveDelivery(delivery(9)))).rejects.toThrow();
      });

      it("shows a row written before an upload after the store is opened again, without a close", async () => {
        const place = newPlace();
        const crashed = await open({ place });
        await crashed.syncJobs(makeBatch(1));
        await crashed.saveDelivery(delivery(1));

        expect(await (await open({ place })).listDeliveries("trailer", "")).toMatchObject([{ state: "uploading", attempts: 1 }]);
      });
    });

    describe("the lease", () => {
      it("refuses a second runner while the first holds it, and lets it in once released", async () => {
        const place = newPlace();
        const first = await open({ place });
        await first.lease.acquire();
        const second = await open({ place });

        await expect(Promise.resolve().then(() => second.lease.acquire())).rejects.toThrow(expect.objectContaining({ code: "state_locked" }));
        expect(second.lease.held).toBe(false);
        await first.lease.release();
        await second.lease.acquire();

        expect(second.lease.held).toBe(true);
        expect(() => second.lease.check()).not.toThrow();
      });
    });

    describe("uploads", () => {
      const upload = (fileId: string, sha256: string, uploadedAt = 1_000) => ({
        file_id: fileId,
        sha256,
        bytes: 2048,
        content_type: "image/png",
        file_url: `https://files.evolink.ai/${fileId}.png`,
        expires_at_ms: uploadedAt + 72 * 3_600_000,
        uploaded_at_ms: uploadedAt,
      });

      it("lists a recorded upload as it was written, not deleted", async () => {
        const store = await open({});
        await store.recordUpload(upload("file-a", "aa"));

        expect(await store.listUploads()).toEqual([{ ...upload("file-a", "aa"), deleted_at_ms: null }]);
      });

      it("keeps an upload committed the moment it is recorded: a store opened again without a close still has it", async () => {
        const place = newPlace();
        await (await open({ place })).recordUpload(upload("file-a", "aa"));

        expect((await (await open({ place })).listUploads()).map((u) => u.file_id)).toEqual(["file-a"]);
      });

      it("lists uploads oldest first, and a file uploaded again twice", async () => {
        const store = await open({});
        await store.recordUpload(upload("file-b", "bb", 2_000));
        await store.recordUpload(upload("file-a", "aa", 1_000));
        await store.recordUpload(upload("file-c", "aa", 3_000));

        expect((await store.listUploads()).map((u) => [u.file_id, u.sha256])).toEqual([
          ["file-a", "aa"],
          ["file-b", "bb"],
          ["file-c", "aa"],
        ]);
      });

      it("leaves a deleted upload out of the list, and says so only once", async () => {
        const store = await open({});
        await store.recordUpload(upload("file-a", "aa"));
        await store.recordUpload(upload("file-b", "bb"));

        expect(await store.markUploadDeleted("file-a", 5_000)).toBe(true);
        expect(await store.markUploadDeleted("file-a", 6_000)).toBe(false);
        expect(await store.markUploadDeleted("file-unknown", 6_000)).toBe(false);
        expect((await store.listUploads()).map((u) => u.file_id)).toEqual(["file-b"]);
      });

      it("refuses a second record of the same file id, keeping the first", async () => {
        const store = await open({});
        await store.recordUpload(upload("file-a", "aa"));

        await expect(Promise.resolve().then(() => store.recordUpload(upload("file-a", "bb")))).rejects.toThrow();
        expect((await store.listUploads()).map((u) => u.sha256)).toEqual(["aa"]);
      });
    });

    describe("a run that stopped half-way", () => {
      it("shows a committed move after the store is opened again, without a close", async () => {
        const place = newPlace();
        const crashed = await open({ place });
        await crashed.syncJobs(makeBatch(2));
        await crashed.commit([move(1, "queued", "submitting", { attempts: 1, generation: 0 })]);
        // No close(): the process "dies" here.

        const resumed = await open({ place });

        expect(await resumed.getJob(jobId(1))).toMatchObject({ state: "submitting", attempts: 1, task_id: null });
        expect((await resumed.getJob(jobId(2)))?.state).toBe("queued");
      });
    });
  });
}
