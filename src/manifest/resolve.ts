import type { Mode } from "./job.js";
import { API_DEFAULTS, modeFor } from "./models.js";
import type { ManifestHead, Settings, Shot } from "./schema.js";
import type { Path } from "./source.js";

/** A value and where the manifest says it (a value from the API defaults points at its shot). */
export interface Sourced<T> {
  value: T;
  path: Path;
}

/** One shot with every layer applied: what its jobs will send, and where each value came from. */
export interface ResolvedShot {
  id: string;
  path: Path;
  takes: number;
  /** Absent when neither the shot nor the manifest names a model (an error). */
  model?: Sourced<string>;
  prompt: Sourced<string>;
  duration: Sourced<number>;
  quality: Sourced<string>;
  aspect_ratio: Sourced<string>;
  generate_audio: Sourced<boolean>;
  callback_url?: Sourced<string>;
  images: Sourced<string>[];
  videos: Sourced<string>[];
  audios: Sourced<string>[];
  mode: Mode;
}

/**
 * Applies the layers, lowest first: API defaults < manifest `defaults` < the
 * shot's own fields < the chosen profile. The profile wins over the shot so
 * that a draft profile makes every shot cheap, whatever the shot asks for.
 */
export function resolveShot(manifest: ManifestHead, shot: Shot, index: number, profile: string | null): ResolvedShot {
  const path: Path = ["shots", index];
  const chosen = profile === null ? undefined : manifest.profiles?.[profile];
  // The highest layer that sets it wins; only the winner's path is built (this runs for every shot, under every profile).
  function setting<K extends keyof Settings>(key: K): Sourced<NonNullable<Settings[K]>> | undefined {
    const fromProfile = chosen?.[key];
    if (fromProfile !== undefined && profile !== null) return { value: fromProfile, path: ["profiles", profile, key] };
    const fromShot = shot[key];
    if (fromShot !== undefined) return { value: fromShot, path: ["shots", index, key] };
    const fromDefaults = manifest.defaults?.[key];
    return fromDefaults === undefined ? undefined : { value: fromDefaults, path: ["defaults", key] };
  }
  const fallback = <T>(value: T): Sourced<T> => ({ value, path });

  const model =
    shot.model !== undefined
      ? { value: shot.model, path: [...path, "model"] }
      : manifest.model !== undefined
        ? { value: manifest.model, path: ["model"] }
        : undefined;
  const images = imagesOf(shot, path);
  const videos = listed(shot.video_urls, path, "video_urls");
  const audios = listed(shot.audio_urls, path, "audio_urls");
  const callback = setting("callback_url");
  const resolved: ResolvedShot = {
    id: shot.id,
    path,
    takes: shot.takes ?? 1,
    prompt: { value: shot.prompt, path: [...path, "prompt"] },
    duration: setting("duration") ?? fallback(API_DEFAULTS.duration),
    quality: setting("quality") ?? fallback(API_DEFAULTS.quality),
    aspect_ratio: setting("aspect_ratio") ?? fallback(API_DEFAULTS.aspect_ratio),
    generate_audio: setting("generate_audio") ?? fallback(API_DEFAULTS.generate_audio),
    images,
    videos,
    audios,
    mode: modeFor(model?.value, { images: images.length, videos: videos.length, audios: audios.length }),
  };
  if (model !== undefined) resolved.model = model;
  if (callback !== undefined) resolved.callback_url = callback;
  return resolved;
}

/**
 * The shot's images in API order. Only one way of giving images counts
 * (image_urls, else image, else first_frame then last_frame): combining them
 * is an error of its own, and the mode should not be judged on the mixture.
 */
function imagesOf(shot: Shot, path: Path): Sourced<string>[] {
  if (shot.image_urls !== undefined) return listed(shot.image_urls, path, "image_urls");
  if (shot.image !== undefined) return [{ value: shot.image, path: [...path, "image"] }];
  if (shot.first_frame === undefined && shot.last_frame === undefined) return [];
  return (["first_frame", "last_frame"] as const).flatMap((key) => {
    const value = shot[key];
    return value === undefined ? [] : [{ value, path: [...path, key] }];
  });
}

function listed(values: string[] | undefined, path: Path, key: string): Sourced<string>[] {
  return values === undefined ? [] : values.map((value, i) => ({ value, path: [...path, key, i] }));
}
