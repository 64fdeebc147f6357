import { describe, expect, it } from "vitest";
import { ShotlistError } from "../../src/errors.js";
import { batchOf, withShots, yaml } from "./helpers.js";

const STORY = yaml`
  version: 1
  name: rainy-detective
  model: seedance-1.5-pro
  concurrency: 3
  defaults:
    duration: 6
    generate_audio: true
  profiles:
    draft: { quality: 480p, duration: 4, generate_audio: false }
  shots:
    - id: s01-street
      prompt: "Rainy streets of Tokyo at night"
    - id: s02-detective
      prompt: 'A detective says: "Do not move."'
      image: https://example.com/detective.png
      quality: 480p
    - id: s03-handoff
      prompt: "The camera glides from the door to the window"
      first_frame: https://example.com/door.png
      last_frame: https://example.com/window.png
      takes: 2
      duration: 8
`;

describe("expanding shots into jobs", () => {
  it("fills every API default the manifest leaves out", () => {
    const [job] = batchOf(withShots('- { id: s01, prompt: "A lighthouse" }')).jobs;
    expect(job?.request).toEqual({
      model: "seedance-1.5-pro",
      prompt: "A lighthouse",
      duration: 5,
      quality: "720p",
      aspect_ratio: "16:9",
      generate_audio: true,
    });
  });

  it("applies manifest defaults, then the shot's own fields", () => {
    const jobs = batchOf(STORY).jobs;
    expect(jobs.map((j) => [j.shotId, j.request.duration, j.request.quality, j.request.generate_audio])).toEqual([
      ["s01-street", 6, "720p", true],
      ["s02-detective", 6, "480p", true],
      ["s03-handoff", 8, "720p", true],
      ["s03-handoff", 8, "720p", true],
    ]);
  });

  it("lets the chosen profile win over every shot, so a draft is cheap throughout", () => {
    const batch = batchOf(STORY, "draft");
    expect(batch.profile).toBe("draft");
    expect(batch.jobs.map((j) => [j.request.duration, j.request.quality, j.request.generate_audio])).toEqual(Array(4).fill([4, "480p", false]));
  });

  it("makes one job per take, numbered from 1", () => {
    const jobs = batchOf(STORY).jobs.filter((j) => j.shotId === "s03-handoff");
    expect(jobs.map((j) => j.take)).toEqual([1, 2]);
    expect(new Set(jobs.map((j) => j.key)).size).toBe(2);
  });

  it("decides each shot's mode from its images", () => {
    expect(batchOf(STORY).jobs.map((j) => j.mode)).toEqual(["text-to-video", "image-to-video", "first-last-frame", "first-last-frame"]);
  });

  it("sends first_frame then last_frame as image_urls", () => {
    const job = batchOf(STORY).jobs[2];
    expect(job?.request.image_urls).toEqual(["https://example.com/door.png", "https://example.com/window.png"]);
  });

  it("treats video or audio references as reference mode", () => {
    const [job] = batchOf(
      withShots(
        `
      - id: s01
        prompt: "@Image1 walks like @Video1"
        image_urls: [https://e.com/hero.png]
        video_urls: [https://e.com/walk.mp4]
    `,
        "model: seedance-2.0-reference-to-video",
      ),
    ).jobs;
    expect(job?.mode).toBe("reference");
    expect(job?.request.video_urls).toEqual(["https://e.com/walk.mp4"]);
  });

  it("treats a reference-to-video model as reference mode, even with one image", () => {
    const [job] = batchOf(yaml`
      version: 1
      name: test
      shots:
        - id: s01
          model: seedance-2.0-fast-reference-to-video
          prompt: "@Image1 in the rain"
          image: https://e.com/hero.png
    `).jobs;
    expect(job?.mode).toBe("reference");
  });

  it("lets a shot use another model than the manifest's", () => {
    const jobs = batchOf(
      withShots(`
      - { id: s01, prompt: "one" }
      - { id: s02, prompt: "two", model: seedance-2.0-text-to-video, quality: 1080p }
    `),
    ).jobs;
    expect(jobs.map((j) => j.request.model)).toEqual(["seedance-1.5-pro", "seedance-2.0-text-to-video"]);
  });

  it("sends callback_url only when one is set", () => {
    const jobs = batchOf(
      withShots('- { id: s01, prompt: "one" }', 'model: seedance-1.5-pro\ndefaults: { callback_url: "https://hooks.example.com/shotlist" }'),
    ).jobs;
    expect(jobs[0]?.request.callback_url).toBe("https://hooks.example.com/shotlist");
    expect(batchOf(STORY).jobs[0]?.request).not.toHaveProperty("callback_url");
  });

  it("carries the batch name and the manifest's concurrency", () => {
    const batch = batchOf(STORY);
    expect([batch.name, batch.profile, batch.concurrency]).toEqual(["rainy-detective", null, 3]);
  });

  it("refuses an unknown profile as a usage error naming the profiles there are", () => {
    const attempt = (): unknown => batchOf(STORY, "final");
    expect(attempt).toThrow(ShotlistError);
    expect(attempt).toThrow('unknown profile "final"; available: draft');
  });
});
