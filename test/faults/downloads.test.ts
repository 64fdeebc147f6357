/**
 * What a run does when a result cannot simply be downloaded: a URL that is
 * not http(s), a redirect loop, a body that disagrees with its
 * Content-Length, an expired URL, an output folder that cannot be written.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it, onTestFinished } from "vitest";
import { makeBatch } from "../helpers/fixtures.js";
import { answer, useFakeApi, videoBytes, type FakeApi } from "./fake-api.js";
import { pathOf, useRunner, useSim } from "./runner.js";

/** Creates answer task t1; it completes on its first read with `results`. */
function completesWith(api: FakeApi, results: (string | (() => string))[]): void {
  api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
  api.onGet("t1", (_req, res) => answer.task(res, "t1", "completed", { results: results.map((r) => (typeof r === "string" ? r : r())) }));
}

function lengthMismatch(res: ServerResponse, announced: number, sent: Buffer): void {
  answer.raw(res, `HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: ${announced}\r\nconnection: close`, sent);
}

describe("a result URL that cannot be fetched", () => {
  it.each([
    ["a file: URL", "file:///etc/passwd", /expected an http\(s\) URL for the result, got a file: URL/],
    ["an ftp: URL", "ftp://files.example.com/clip.mp4", /expected an http\(s\) URL for the result, got a ftp: URL/],
    ["no URL at all", "not a url", /expected an http\(s\) URL for the result, got "not a url"/],
  ])("fails the job on %s without fetching anything", async (_name, url, message) => {
    const api = await useFakeApi();
    completesWith(api, [url]);
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_class: "download" });
    expect(outcome.jobs[0]?.error_message).toMatch(message);
    expect(api.creates()).toHaveLength(1);
  });

  it("fails the job on a redirect loop, naming it", async () => {
    const api = await useFakeApi();
    completesWith(api, [api.fileUrl("a")]);
    api.onFile("a", (_req, res) => res.writeHead(302, { location: api.fileUrl("b") }).end());
    api.onFile("b", (_req, res) => res.writeHead(302, { location: api.fileUrl("a") }).end());
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "failed", error_class: "download" });
    expect(outcome.jobs[0]?.error_message).toMatch(/redirect loop: http:\/\/127\.0\.0\.1:\d+\/files\/a\.mp4 was already visited/);
    expect(api.files().length).toBeLessThanOrEqual(3);
  });
});

describe("a file host that stays down", () => {
  it("gives up downloading for this run once the window is spent, keeps the job completed, and a rerun saves it", async () => {
    const api = await useFakeApi();
    completesWith(api, [api.fileUrl("t1")]);
    let down = true;
    api.onFile("t1", (req, res) => (down ? answer.error(res, 503, "service_unavailable") : answer.video(res, req)));
    const runner = await useRunner(api);
    const batch = makeBatch(1);
    const first = await runner.run(batch, { retryWindowMs: 500 });

    expect(first.jobs[0]).toMatchObject({ state: "completed", error_class: "download" });
    expect(first.jobs[0]?.error_message).toMatch(
      /^could not download the clip \(gave up after \d+ tries over \d\.\d s \(the retry window\); the next run resumes it\): http:\/\/127\.0\.0\.1:\d+\/files\/t1\.mp4 answered 503$/,
    );
    expect(api.files("t1").length).toBeGreaterThan(1);

    down = false;
    const second = await runner.run(batch);
    expect(second.jobs[0]?.state).toBe("done");
    expect(api.creates()).toHaveLength(1);
  });
});

describe("a body that disagrees with its Content-Length", () => {
  it("resumes a body shorter than announced with a Range request and saves the whole clip", async () => {
    const api = await useFakeApi();
    const clip = videoBytes(8192);
    completesWith(api, [api.fileUrl("t1")]);
    api.onFile(
      "t1",
      (_req, res) => lengthMismatch(res, clip.length, clip.subarray(0, 3000)),
      (req, res) => answer.video(res, req, clip),
    );
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]).toMatchObject({ state: "done", bytes: clip.length });
    expect(api.files("t1").map((r) => r.headers.range)).toEqual([undefined, "bytes=3000-"]);
    expect((await readFile(join(runner.root, outcome.jobs[0]!.output_path!))).equals(clip)).toBe(true);
  });

  it("keeps only the announced bytes of a body longer than its Content-Length, never the extra", async () => {
    const api = await useFakeApi();
    const clip = Buffer.concat([videoBytes(1000), videoBytes(3096)]);
    completesWith(api, [api.fileUrl("t1")]);
    api.onFile("t1", (_req, res) => lengthMismatch(res, 1000, clip));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    // HTTP framing: the answer is the announced 1000 bytes; what follows on the socket is not part of it.
    expect(outcome.jobs[0]).toMatchObject({ state: "done", bytes: 1000 });
    expect((await readFile(join(runner.root, outcome.jobs[0]!.output_path!))).equals(clip.subarray(0, 1000))).toBe(true);
  });
});

describe("an expired result URL", () => {
  it("reads the task again once and downloads from the fresh URL it hands out", async () => {
    const api = await useFakeApi();
    let reads = 0;
    api.onCreate((_req, res) => answer.task(res, "t1", "pending"));
    api.onGet("t1", (_req, res) => answer.task(res, "t1", "completed", { results: [api.fileUrl(++reads === 1 ? "old" : "fresh")] }));
    api.onFile("old", (_req, res) => answer.error(res, 403, "link_expired"));
    api.onFile("fresh", (req, res) => answer.video(res, req));
    const runner = await useRunner(api);
    const outcome = await runner.run(makeBatch(1));

    expect(outcome.jobs[0]?.state).toBe("done");
    expect(outcome.jobs[0]?.result_url).toContain("/files/fresh.mp4");
    expect(api.gets("t1")).toHaveLength(2);
    expect(api.creates()).toHaveLength(1);
  });

  it("marks the job expired when the simulator hands out no fresh URL, and renders it anew with rerenderExpired", async () => {
    const sim = await useSim({ urlTtlMs: 1 });
    const runner = await useRunner(sim);
    const batch = makeBatch(1);
    const first = await runner.run(batch);
    expect(first.jobs[0]).toMatchObject({ state: "expired", error_class: "download" });
    expect(first.jobs[0]?.error_message).toMatch(/run again with --rerender-expired/);
    // One read of the task to refresh the URL, then no more.
    const reads = sim.ledger.polls.length;

    const again = await runner.run(batch);
    expect(again.jobs[0]?.state).toBe("expired");
    expect(sim.ledger.creates).toHaveLength(1);
    expect(sim.ledger.polls).toHaveLength(reads);

    const rerender = await runner.run(batch, { rerenderExpired: true });
    // The simulator's URLs still die at once: what matters is the new task.
    expect(sim.ledger.creates).toHaveLength(2);
    expect(pathOf(runner, "job-1").slice(-6)).toEqual(["expired", "queued", "submitting", "generating", "completed", "expired"]);
    expect(rerender.jobs[0]?.generation).toBe(2);
  });
});

describe("an output folder that cannot be written", () => {
  it("stops the job with a message naming the path, keeps it completed, and a rerun saves it without a new task", async () => {
    const sim = await useSim();
    const runner = await useRunner(sim);
    const batch = makeBatch(2);
    // A regular file where shot s1's folder must go: mkdir fails whoever runs the test (root included).
    await mkdir(runner.root, { recursive: true });
    await writeFile(join(runner.root, "s1"), "in the way");

    const first = await runner.run(batch);
    const [s1, s2] = first.jobs;
    expect(s1).toMatchObject({ state: "completed", error_class: "disk" });
    expect(s1?.error_message).toMatch(
      new RegExp(
        `cannot write ${join(runner.root, "s1").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}.*: (a parent of the path is not a directory \\(ENOTDIR\\)|a file is in the way of a directory \\(EEXIST\\))`,
      ),
    );
    expect(s2?.state).toBe("done");
    expect(runner.notices.some((n) => n.startsWith("cannot write"))).toBe(true);

    await rm(join(runner.root, "s1"));
    const second = await runner.run(batch);
    expect(second.jobs.map((j) => j.state)).toEqual(["done", "done"]);
    expect(sim.ledger.creates).toHaveLength(2);
    expect(second.jobs[0]?.sha256).toBe(sim.expectedSha256(second.jobs[0]!.task_id!));
  });

  // A real ENOSPC needs a small file system: a tmpfs, which only a privileged user may mount.
  it.runIf(canMount())("stops a download that fills the disk, and a rerun after space is freed resumes it with Range", async () => {
    const sim = await useSim({ resultBytes: 256 * 1024 });
    const runner = await useRunner(sim);
    await mkdir(runner.root, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", runner.root]);
    onTestFinished(() => void execFileSync("umount", ["-l", runner.root]));
    const batch = makeBatch(1);

    const first = await runner.run(batch);
    expect(first.jobs[0]).toMatchObject({ state: "completed", error_class: "disk" });
    expect(first.jobs[0]?.error_message).toMatch(/cannot write .*take-01\.mp4\.[0-9a-f]{12}\.part: no space left on the device \(ENOSPC\)/);

    execFileSync("mount", ["-o", "remount,size=1m", runner.root]);
    const second = await runner.run(batch);
    expect(second.jobs[0]?.state).toBe("done");
    expect(second.jobs[0]?.sha256).toBe(sim.expectedSha256(second.jobs[0]!.task_id!));
    expect(sim.ledger.creates).toHaveLength(1);
    expect(sim.ledger.downloads.at(-1)?.ranged).toBe(true);
  });
});

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN, as in some containers). */
function canMount(): boolean {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), "shotlist-mount-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
