import { createHash } from "node:crypto";
import type { CreateRequest } from "../../src/api/types.js";
import type { Batch, Job } from "../../src/manifest/job.js";

/** A create request as the manifest expansion would fill it: every API default present. */
export function makeRequest(overrides: Partial<CreateRequest> = {}): CreateRequest {
  return {
    model: "seedance-2.0-text-to-video",
    prompt: "A lighthouse at dusk, slow push in",
    duration: 5,
    quality: "720p",
    aspect_ratio: "16:9",
    generate_audio: false,
    ...overrides,
  };
}

/** Job `n` of a batch: shot `s<n>`, take 1, key `job-<n>`, unless overridden. */
export function makeJob(n: number, overrides: Partial<Job> = {}): Job {
  const request = overrides.request ?? makeRequest({ prompt: `Shot ${n}: a lighthouse at dusk` });
  return {
    key: `job-${n}`,
    shotId: `s${n}`,
    take: 1,
    mode: "text-to-video",
    request,
    promptHash: createHash("sha256").update(request.prompt).digest("hex"),
    ...overrides,
  };
}

/** A batch of `count` jobs made by makeJob(1..count). */
export function makeBatch(count: number, overrides: Partial<Batch> = {}): Batch {
  return {
    name: "trailer",
    profile: null,
    jobs: Array.from({ length: count }, (_, i) => makeJob(i + 1)),
    ...overrides,
  };
}
