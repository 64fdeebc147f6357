import { describe, expect, it } from "vitest";
import { FINAL_STATES, JOB_STATES, type JobState } from "../../src/model/states.js";
import { makeBatch, makeJob } from "../helpers/fixtures.js";
import { jobId, manualClock, openTestStore, tempStatePath } from "./helpers.js";

describe("syncJobs", () => {
  it("adds a queued row for every job of a new batch", () => {
    const clock = manualClock();
    const store = openTestStore(tempStatePath(), { now: clock.now });

    expect(store.syncJobs(makeBatch(2))).toEqual({ added: 2, existing: 0 });
    const job = store.getJob("trailer", "", "job-1");
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

  it("is idempotent: a second sync of the same batch adds nothing and changes nothing", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(3));
    store.transition(jobId(1), "queued", "submitting");

    expect(store.syncJobs(makeBatch(3))).toEqual({ added: 0, existing: 3 });
    expect(store.getJob("trailer", "", "job-1")?.state).toBe("submitting");
  });

  it("adds only the keys it has not seen when the manifest grows", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(2));

    expect(store.syncJobs(makeBatch(5))).toEqual({ added: 3, existing: 2 });
    expect(store.listJobs("trailer", "")).toHaveLength(5);
  });

  it("keeps a profile's jobs apart from the same keys without a profile", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(2));

    expect(store.syncJobs(makeBatch(2, { profile: "draft" }))).toEqual({ added: 2, existing: 0 });
    expect(store.listJobs("trailer", "draft").map((j) => j.profile)).toEqual(["draft", "draft"]);
    expect(store.listJobs("trailer", "")).toHaveLength(2);
  });

  it("records 10,000 jobs in one go", () => {
    const store = openTestStore(tempStatePath());

    expect(store.syncJobs(makeBatch(10_000))).toEqual({ added: 10_000, existing: 0 });
    expect(store.listJobs("trailer", "")).toHaveLength(10_000);
  });
});

describe("transition", () => {
  it("moves a job along a legal edge, applies the patch and stamps the time", () => {
    const clock = manualClock();
    const store = openTestStore(tempStatePath(), { now: clock.now });
    store.syncJobs(makeBatch(1));
    clock.advance(1500);

    const row = store.transition(jobId(1), "queued", "submitting", { attempts: 1 });

    expect(row).toMatchObject({ state: "submitting", attempts: 1, updated_at_ms: clock.now() });
    expect(store.getJob("trailer", "", "job-1")).toEqual(row);
  });

  it("refuses an illegal move, naming the job and both states, and changes nothing", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));

    expect(() => store.transition(jobId(1), "queued", "done")).toThrow(
      expect.objectContaining({ code: "internal", message: expect.stringMatching(/job-1.*queued.*done/) }),
    );
    expect(store.getJob("trailer", "", "job-1")?.state).toBe("queued");
    expect(store.listEvents("trailer", "", "job-1")).toHaveLength(1); // only "created"
  });

  it("refuses a move from a state the job is not in, saying which state it is in", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));
    store.transition(jobId(1), "queued", "submitting");

    expect(() => store.transition(jobId(1), "queued", "submitting", { attempts: 9 })).toThrow(
      "Job job-1 is not in state queued (it is submitting)",
    );
    expect(store.getJob("trailer", "", "job-1")?.attempts).toBe(0);
  });

  it("refuses a move of a job that does not exist", () => {
    const store = openTestStore(tempStatePath());

    expect(() => store.transition(jobId(7), "queued", "submitting")).toThrow("Job job-7 does not exist in batch trailer");
  });

  it("refuses a patch of a column that is not settable, before touching the row", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));

    expect(() => store.transition(jobId(1), "queued", "submitting", { key: "other" })).toThrow("`key`");
    expect(() => store.update(jobId(1), { state: "done" })).toThrow("`state`");
    expect(() => store.update(jobId(1), { ["progress; DROP TABLE jobs" as "progress"]: 1 })).toThrow("DROP TABLE");
    expect(store.getJob("trailer", "", "job-1")?.state).toBe("queued");
  });

  it("takes the caller's updated_at_ms when the patch carries one", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));

    const row = store.transition(jobId(1), "queued", "submitting", { updated_at_ms: 42 });

    expect(row.updated_at_ms).toBe(42);
    expect(store.listEvents("trailer", "", "job-1").at(-1)?.at_ms).toBe(42);
  });
});

describe("events", () => {
  it("appends one event per write, in the order they happened", () => {
    const clock = manualClock();
    const store = openTestStore(tempStatePath(), { now: clock.now });
    store.syncJobs(makeBatch(1));
    const start = clock.now();
    clock.advance(10);
    store.transition(jobId(1), "queued", "submitting", { attempts: 1 });
    clock.advance(10);
    store.transition(jobId(1), "submitting", "generating", { task_id: "task-1" }, { kind: "created", detail: { taskId: "task-1" } });
    clock.advance(10);
    store.recordEvent(jobId(1), "poll-gave-up", { status: 503 });

    const events = store.listEvents("trailer", "", "job-1");

    expect(events.map((e) => [e.kind, e.from_state, e.to_state, e.at_ms - start])).toEqual([
      ["created", null, "queued", 0],
      ["transition", "queued", "submitting", 10],
      ["created", "submitting", "generating", 20],
      ["poll-gave-up", null, null, 30],
    ]);
    expect(events.map((e) => e.detail_json)).toEqual([null, null, '{"taskId":"task-1"}', '{"status":503}']);
  });

  it("refuses an event for a job that does not exist", () => {
    const store = openTestStore(tempStatePath());

    expect(() => store.recordEvent(jobId(3), "poll-gave-up")).toThrow("Job job-3 does not exist in batch trailer");
  });

  it("lists the events of a whole batch when no key is given", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(2));

    expect(store.listEvents("trailer", "").map((e) => e.key)).toEqual(["job-1", "job-2"]);
  });
});

describe("update", () => {
  it("changes columns without a state move, and appends an event only when given one", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));
    store.transition(jobId(1), "queued", "submitting");
    store.transition(jobId(1), "submitting", "generating", { task_id: "task-1" });

    store.update(jobId(1), { progress: 40 });
    const row = store.update(jobId(1), { error_message: "upstream busy" }, { kind: "poll-gave-up" });

    expect(row).toMatchObject({ state: "generating", progress: 40, error_message: "upstream busy" });
    expect(store.listEvents("trailer", "", "job-1").map((e) => e.kind)).toEqual([
      "created",
      "transition",
      "transition",
      "poll-gave-up",
    ]);
  });

  it("clears a column set to null, and leaves one whose value is undefined", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(1));
    store.update(jobId(1), { error_message: "boom", error_code: "E1" });

    const row = store.update(jobId(1), { error_message: null, ...({ error_code: undefined } as object) });

    expect(row).toMatchObject({ error_message: null, error_code: "E1" });
  });
});

describe("several writes at once", () => {
  it("commits all the moves of transitionMany together", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(3));

    const rows = store.transitionMany([1, 2, 3].map((n) => ({ id: jobId(n), from: "queued", to: "submitting" }) as const));

    expect(rows.map((r) => r.state)).toEqual(["submitting", "submitting", "submitting"]);
  });

  it("rolls back every move of a batch transaction when one of them fails", () => {
    const store = openTestStore(tempStatePath());
    store.syncJobs(makeBatch(2));
    store.transition(jobId(2), "queued", "submitting");

    expect(() =>
      store.batchTransaction(() => {
        store.transition(jobId(1), "queued", "submitting");
        store.transition(jobId(2), "queued", "submitting"); // job 2 already moved
      }),
    ).toThrow("not in state queued");
    expect(store.getJob("trailer", "", "job-1")?.state).toBe("queued");
    expect(store.listEvents("trailer", "", "job-1")).toHaveLength(1);
  });
});

describe("listUnfinishedJobs", () => {
  it("lists exactly the jobs whose state is not final", () => {
    const store = openTestStore(tempStatePath());
    // The SQL spells the final states out (the partial index needs them literal): one job in every state pins it to FINAL_STATES.
    const paths: Record<JobState, JobState[]> = {
      queued: [],
      submitting: ["submitting"],
      unknown: ["submitting", "unknown"],
      generating: ["submitting", "generating"],
      completed: ["submitting", "generating", "completed"],
      done: ["submitting", "generating", "completed", "done"],
      failed: ["submitting", "failed"],
      expired: ["submitting", "generating", "completed", "expired"],
      cancelled: ["submitting", "generating", "cancelled"],
    };
    store.syncJobs(makeBatch(JOB_STATES.length));
    JOB_STATES.forEach((state, i) => {
      let from: JobState = "queued";
      for (const to of paths[state]) from = store.transition(jobId(i + 1), from, to).state;
    });

    const unfinished = store.listUnfinishedJobs("trailer", "").map((j) => j.state);

    expect(unfinished.sort()).toEqual(JOB_STATES.filter((s) => !FINAL_STATES.has(s)).sort());
  });
});

describe("a run that stopped half-way", () => {
  it("shows a job left in submitting as submitting after the file is reopened", () => {
    const path = tempStatePath();
    const crashed = openTestStore(path);
    crashed.syncJobs(makeBatch(2));
    crashed.transition(jobId(1), "queued", "submitting", { attempts: 1, generation: 0 });
    // No close(): the process "dies" here, with the write only in the WAL.

    const resumed = openTestStore(path);

    expect(resumed.getJob("trailer", "", "job-1")).toMatchObject({ state: "submitting", attempts: 1, task_id: null });
    expect(resumed.getJob("trailer", "", "job-2")?.state).toBe("queued");
  });
});
