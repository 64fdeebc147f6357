import type { JobRow } from "../../src/model/rows.js";
import { makeRequest } from "./fixtures.js";

/**
 * A job row as the store would hold it: a 5 s text-to-video render of shot
 * `s01`, take 1, still queued. Override only what a test is about.
 */
export function makeJobRow(overrides: Partial<JobRow> = {}): JobRow {
  return {
    batch: "trailer",
    profile: "",
    key: "job-1",
    shot_id: "s01",
    take: 1,
    mode: "text-to-video",
    request_json: JSON.stringify(makeRequest()),
    prompt_hash: "0".repeat(64),
    state: "queued",
    task_id: null,
    attempts: 0,
    generation: 0,
    error_class: null,
    error_code: null,
    error_message: null,
    progress: 0,
    credits_reserved: null,
    result_url: null,
    result_expires_at_ms: null,
    output_path: null,
    bytes: null,
    sha256: null,
    created_at_ms: 1_000,
    submitted_at_ms: null,
    finished_at_ms: null,
    done_at_ms: null,
    updated_at_ms: 1_000,
    ...overrides,
  };
}

/** A job that finished and was saved: submitted at 10 s, done `latencyMs` later. */
export function makeDoneRow(n: number, latencyMs: number, overrides: Partial<JobRow> = {}): JobRow {
  const submitted = 10_000;
  return makeJobRow({
    key: `job-${n}`,
    shot_id: `s${String(n).padStart(2, "0")}`,
    state: "done",
    task_id: `task-${n}`,
    attempts: 1,
    generation: 1,
    credits_reserved: 50,
    progress: 100,
    output_path: `s${String(n).padStart(2, "0")}_1.mp4`,
    bytes: 1_000_000,
    sha256: "a".repeat(64),
    submitted_at_ms: submitted,
    finished_at_ms: submitted + latencyMs,
    done_at_ms: submitted + latencyMs + 2_000,
    ...overrides,
  });
}
