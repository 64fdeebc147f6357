import { describe, expect, it } from "vitest";
import { errorsOf, withShots } from "./helpers.js";

/** One shot (lines 5..) under seedance-1.5-pro, with `fields` as its extra lines (line 7 onwards). */
function shot(fields: string, model = "seedance-1.5-pro"): string {
  const extra = fields
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
  return withShots(`- id: s01\n  prompt: "A lighthouse at dusk"\n${extra}\n`, `model: ${model}`);
}

describe("seedance-1.5-pro rules", () => {
  it("bounds duration to 4..12", () => {
    expect(errorsOf(shot("duration: 15"))).toEqual(["shots.yaml:7:15 shot s01: duration must be 4..12 for seedance-1.5-pro (got 15)"]);
  });

  it("offers 480p and 720p only", () => {
    expect(errorsOf(shot("quality: 1080p"))).toEqual(['shots.yaml:7:14 shot s01: quality must be one of 480p, 720p for seedance-1.5-pro (got "1080p")']);
  });

  it("knows the aspect ratios", () => {
    expect(errorsOf(shot('aspect_ratio: "2:1"'))).toEqual([
      'shots.yaml:7:19 shot s01: aspect_ratio must be one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9, adaptive for seedance-1.5-pro (got "2:1")',
    ]);
  });

  it("refuses a prompt over 2000 tokens, estimated from its bytes, without echoing it", () => {
    const text = shot("").replace("A lighthouse at dusk", "x".repeat(4002));
    expect(errorsOf(text)).toEqual([
      "shots.yaml:6:13 shot s01: prompt is too long for seedance-1.5-pro: about 2001 tokens (estimated as UTF-8 bytes / 2), at most 2000",
    ]);
  });

  it("counts multi-byte characters as more tokens", () => {
    const text = shot("").replace("A lighthouse at dusk", "灯".repeat(1334));
    expect(errorsOf(text)).toEqual([
      "shots.yaml:6:13 shot s01: prompt is too long for seedance-1.5-pro: about 2001 tokens (estimated as UTF-8 bytes / 2), at most 2000",
    ]);
  });

  it("takes at most two images", () => {
    const text = shot("image_urls: [https://e.com/1.png, https://e.com/2.png, https://e.com/3.png]");
    expect(errorsOf(text)).toEqual([
      "shots.yaml:7:18 shot s01: seedance-1.5-pro does not render reference (the shot has reference inputs); models that do: seedance-2.0-reference-to-video, seedance-2.0-fast-reference-to-video, seedance-2.0-mini-reference-to-video",
    ]);
  });

  it("accepts image types by extension, ignoring the query string", () => {
    expect(errorsOf(shot("image: https://cdn.example.com/cat.PNG?sig=abc"))).toEqual([]);
    expect(errorsOf(shot("image: https://cdn.example.com/cat.gif?x=.png"))).toEqual([
      'shots.yaml:7:12 shot s01: image must end in .jpg, .jpeg, .png, .webp (got ".gif")',
    ]);
  });

  it("leaves a local path to the check on disk (its text alone is no error)", () => {
    expect(errorsOf(shot("image: ./frames/cat.png"))).toEqual([]);
  });

  it.each(["http://127.0.0.1:8000/cat.png", "http://localhost/cat.png", "https://192.168.1.20/cat.png", "http://[::1]/cat.png"])(
    "refuses a media URL on a loopback or private address (%s), which the API cannot fetch",
    (url) => {
      expect(errorsOf(shot(`image: "${url}"`))).toEqual([
        `shots.yaml:7:12 shot s01: image "${url}" points at a loopback or private address, which the API's servers cannot reach: give a URL its servers can reach, or the file's local path (shotlist uploads it)`,
      ]);
    },
  );

  it("refuses a URL scheme other than http(s)", () => {
    expect(errorsOf(shot("image: ftp://example.com/cat.png"))).toEqual([
      'shots.yaml:7:12 shot s01: image "ftp://example.com/cat.png" must be an http(s) URL, not ftp:',
    ]);
  });

  it("wants callback_url over https", () => {
    expect(errorsOf(shot("callback_url: http://hooks.example.com/shotlist"))).toEqual([
      'shots.yaml:7:19 shot s01: callback_url "http://hooks.example.com/shotlist" must be an https URL (the API calls back over HTTPS only)',
    ]);
  });

  it("refuses a callback_url on a private address", () => {
    expect(errorsOf(shot("callback_url: https://192.168.1.20/hook"))).toEqual([
      'shots.yaml:7:19 shot s01: callback_url "https://192.168.1.20/hook" points at a private or internal address, which the API refuses',
    ]);
  });

  it("refuses video references, which need a reference-to-video model", () => {
    expect(errorsOf(shot("video_urls: [https://e.com/walk.mp4]"))).toEqual([
      "shots.yaml:7:18 shot s01: seedance-1.5-pro does not render reference (the shot has reference inputs); models that do: seedance-2.0-reference-to-video, seedance-2.0-fast-reference-to-video, seedance-2.0-mini-reference-to-video",
    ]);
  });
});

describe("image fields", () => {
  it("keeps image_urls apart from image/first_frame/last_frame", () => {
    expect(errorsOf(shot("image: https://e.com/a.png\nimage_urls: [https://e.com/b.png]"))).toEqual([
      "shots.yaml:8:17 shot s01: image_urls cannot be combined with image, first_frame or last_frame: use one or the other",
    ]);
  });

  it("keeps image apart from first_frame/last_frame", () => {
    expect(errorsOf(shot("image: https://e.com/a.png\nfirst_frame: https://e.com/b.png\nlast_frame: https://e.com/c.png"))).toEqual([
      "shots.yaml:7:12 shot s01: image (image-to-video) cannot be combined with first_frame/last_frame (first-last-frame)",
    ]);
  });

  it("wants first_frame and last_frame together", () => {
    expect(errorsOf(shot("last_frame: https://e.com/b.png"))).toEqual([
      "shots.yaml:7:17 shot s01: last_frame needs first_frame too (for a single image use image)",
    ]);
  });
});

describe("Seedance 2.0 rules", () => {
  it("allows 4..15 seconds at up to 1080p", () => {
    expect(errorsOf(shot("duration: 15\nquality: 1080p", "seedance-2.0-text-to-video"))).toEqual([]);
    expect(errorsOf(shot("duration: 16", "seedance-2.0-fast-text-to-video"))).toEqual([
      "shots.yaml:7:15 shot s01: duration must be 4..15 for seedance-2.0-fast-text-to-video (got 16)",
    ]);
  });

  it("does not give images to the text-to-video model", () => {
    expect(errorsOf(shot("image: https://e.com/a.png", "seedance-2.0-mini-text-to-video"))).toEqual([
      "shots.yaml:7:12 shot s01: seedance-2.0-mini-text-to-video does not render image-to-video (the shot has 1 image); models that do: seedance-1.5-pro, seedance-2.0-image-to-video, seedance-2.0-fast-image-to-video, seedance-2.0-mini-image-to-video",
    ]);
  });

  it("needs an image for the image-to-video model", () => {
    expect(errorsOf(shot("duration: 5", "seedance-2.0-image-to-video"))).toEqual([
      "shots.yaml:5:5 shot s01: seedance-2.0-image-to-video does not render text-to-video (the shot has no image); models that do: seedance-1.5-pro, seedance-2.0-text-to-video, seedance-2.0-fast-text-to-video, seedance-2.0-mini-text-to-video",
    ]);
  });

  it("takes up to 9 images, 3 videos and 3 audio clips in reference mode", () => {
    const images = Array.from({ length: 10 }, (_, i) => `https://e.com/${i}.png`).join(", ");
    const videos = "https://e.com/1.mp4, https://e.com/2.mov, https://e.com/3.mp4, https://e.com/4.mp4";
    const text = shot(`image_urls: [${images}]\nvideo_urls: [${videos}]\naudio_urls: [https://e.com/a.mp3]`, "seedance-2.0-reference-to-video");
    expect(errorsOf(text)).toEqual([
      "shots.yaml:7:207 shot s01: image_urls takes at most 9 for seedance-2.0-reference-to-video (got 10)",
      "shots.yaml:8:81 shot s01: video_urls takes at most 3 for seedance-2.0-reference-to-video (got 4)",
    ]);
  });

  it("checks reference video and audio types", () => {
    const text = shot("video_urls: [https://e.com/clip.webm]\naudio_urls: [https://e.com/line.ogg]", "seedance-2.0-reference-to-video");
    expect(errorsOf(text)).toEqual([
      'shots.yaml:7:18 shot s01: video_urls[0] must end in .mp4, .mov (got ".webm")',
      'shots.yaml:8:18 shot s01: audio_urls[0] must end in .mp3, .wav (got ".ogg")',
    ]);
  });

  it("needs at least one reference for the reference model", () => {
    expect(errorsOf(shot("duration: 5", "seedance-2.0-reference-to-video"))).toEqual([
      "shots.yaml:5:5 shot s01: reference mode needs at least one of image_urls, video_urls, audio_urls",
    ]);
  });

  it("refuses first and last frames in reference mode", () => {
    const text = shot("first_frame: https://e.com/a.png\nlast_frame: https://e.com/b.png", "seedance-2.0-reference-to-video");
    expect(errorsOf(text)).toEqual(["shots.yaml:7:18 shot s01: first_frame/last_frame make no sense in reference mode: list reference images in image_urls"]);
  });
});
