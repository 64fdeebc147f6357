import type { CreateRequest } from "../api/types.js";
import { ShotlistError } from "../errors.js";
import type { Batch, Job } from "./job.js";
import { jobKey, keyedRequest, promptHash } from "./key.js";
import { localFilePath, type LocalInputs } from "./local-files.js";
import { resolveShot, type ResolvedShot } from "./resolve.js";
import type { Manifest } from "./schema.js";
import { isLocalPath } from "./urls.js";

/**
 * Turns a validated manifest into the jobs of one run: each shot once per
 * take, in manifest order, with the layers applied (see resolve.ts).
 * An unknown profile is a usage error naming the ones that exist. With
 * `local` (the files checked on disk), a local path is sent as its absolute
 * path and enters the key by its sha256; without, it stays as written.
 */
export function expandManifest(manifest: Manifest, profile: string | null, local?: LocalInputs): Batch {
  const profiles = Object.keys(manifest.profiles ?? {});
  if (profile !== null && !profiles.includes(profile)) {
    const known = profiles.length === 0 ? "the manifest defines no profiles" : `available: ${profiles.join(", ")}`;
    throw new ShotlistError("usage", `unknown profile ${JSON.stringify(profile)}; ${known}`);
  }
  const jobs = manifest.shots.flatMap((shot, index) => {
    const resolved = resolveShot(manifest, shot, index, profile);
    const request = requestOf(resolved, local);
    const keyed = local === undefined ? request : keyedRequest(request, (v) => local.files.get(v)?.sha256);
    const hash = promptHash(request.prompt);
    return Array.from({ length: resolved.takes }, (_, i): Job => ({
      key: jobKey(keyed, i + 1),
      shotId: resolved.id,
      take: i + 1,
      mode: resolved.mode,
      request,
      promptHash: hash,
    }));
  });
  const batch: Batch = { name: manifest.name, profile, jobs };
  if (manifest.concurrency !== undefined) batch.concurrency = manifest.concurrency;
  if (manifest.deliver !== undefined) {
    const { to, endpoint, region, path_style } = manifest.deliver;
    batch.deliver = {
      to,
      ...(endpoint === undefined ? {} : { endpoint }),
      ...(region === undefined ? {} : { region }),
      ...(path_style === undefined ? {} : { pathStyle: path_style }),
    };
  }
  if (manifest.budget !== undefined) batch.maxCredits = manifest.budget.max_credits;
  if (local !== undefined && local.files.size > 0) batch.localFiles = local.files;
  return batch;
}

/** The request body, every API default filled in; media lists only when the shot has some (local paths as written without `local`). */
export function requestOf(shot: ResolvedShot, local?: LocalInputs): CreateRequest {
  if (shot.model === undefined) throw new ShotlistError("internal", `shot ${shot.id} has no model; validate the manifest before expanding it`);
  const request: CreateRequest = {
    model: shot.model.value,
    prompt: shot.prompt.value,
    duration: shot.duration.value,
    quality: shot.quality.value,
    aspect_ratio: shot.aspect_ratio.value,
    generate_audio: shot.generate_audio.value,
  };
  const values = (list: { value: string }[]): string[] =>
    list.map((m) => (local !== undefined && isLocalPath(m.value) ? localFilePath(m.value, local.baseDir) : m.value));
  if (shot.images.length > 0) request.image_urls = values(shot.images);
  if (shot.videos.length > 0) request.video_urls = values(shot.videos);
  if (shot.audios.length > 0) request.audio_urls = values(shot.audios);
  if (shot.callback_url !== undefined) request.callback_url = shot.callback_url.value;
  return request;
}
