import type { Problem } from "../errors.js";
import type { Mode } from "./job.js";
import { MEDIA_EXTENSIONS, MODELS, modelCaps, modelsFor, type ModelCaps } from "./models.js";
import { fieldName, show } from "./problem.js";
import type { ResolvedShot, Sourced } from "./resolve.js";
import type { Shot } from "./schema.js";
import { closest, startingLike } from "./suggest.js";
import type { Path } from "./source.js";
import { badCallback, extensionOf, isLocalPath, notReachable } from "./urls.js";
import { counted } from "../text.js";

/**
 * Checks on one resolved shot, after the schema has passed. Common rules hold
 * for every model; model rules read the shot's row of the capabilities table
 * and are skipped (with a warning) for a model the table does not know.
 */
export interface RuleContext {
  shot: ResolvedShot;
  /** The shot as written, for checks on which fields were used together. */
  raw: Shot;
  report: (path: Path, message: string, severity?: Problem["severity"]) => void;
}
type Rule = (ctx: RuleContext) => void;
type ModelRule = (ctx: RuleContext, model: string, caps: ModelCaps) => void;

/** Token counts are estimated high (UTF-8 bytes / 2) so a prompt the API would refuse is caught here. */
export function estimateTokens(prompt: string): number {
  return Math.ceil(Buffer.byteLength(prompt, "utf8") / 2);
}

const modelNamed: Rule = ({ shot, report }) => {
  if (shot.model === undefined) report(shot.path, "no model: set `model` at the top of the manifest or on the shot");
  else if (modelCaps(shot.model.value) === undefined) {
    const near = modelSuggestion(shot.model.value, shot.mode);
    report(shot.model.path, `unknown model ${show(shot.model.value)}${near}: only the common rules are checked, the API will judge the rest`, "warning");
  }
};

/** ` (did you mean "seedance-2.0-text-to-video"?)`: a typo's fix, else the ids for the shot's mode that the name begins (at most three). */
function modelSuggestion(model: string, mode: Mode): string {
  const typo = closest(model, Object.keys(MODELS));
  const near = typo === undefined ? startingLike(model, modelsFor(mode)).slice(0, 3) : [typo];
  if (near.length === 0) return "";
  const shown = near.map((id) => show(id));
  return ` (did you mean ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`}?)`;
}

const promptNotEmpty: Rule = ({ shot, report }) => {
  if (shot.prompt.value.trim() === "") report(shot.prompt.path, "prompt is empty");
};

const imageFieldsApart: Rule = ({ raw, shot, report }) => {
  const at = (key: string): Path => [...shot.path, key];
  if (raw.image_urls !== undefined && (raw.image ?? raw.first_frame ?? raw.last_frame) !== undefined) {
    report(at("image_urls"), "image_urls cannot be combined with image, first_frame or last_frame: use one or the other");
  } else if (raw.image !== undefined && (raw.first_frame ?? raw.last_frame) !== undefined) {
    report(at("image"), "image (image-to-video) cannot be combined with first_frame/last_frame (first-last-frame)");
  } else if ((raw.first_frame === undefined) !== (raw.last_frame === undefined)) {
    const [given, missing] = raw.first_frame === undefined ? ["last_frame", "first_frame"] : ["first_frame", "last_frame"];
    report(at(given), `${given} needs ${missing} too (for a single image use image)`);
  }
};

const framesNotReferences: Rule = ({ raw, shot, report }) => {
  if (shot.mode === "reference" && raw.first_frame !== undefined) {
    report([...shot.path, "first_frame"], "first_frame/last_frame make no sense in reference mode: list reference images in image_urls");
  }
};

const TILDE = "starts with ~, which is not expanded: write the path from the manifest's folder, or an absolute one";

const mediaReachable: Rule = ({ shot, report }) => {
  for (const media of [...shot.images, ...shot.videos, ...shot.audios]) {
    // A local file is checked on disk, once per file, by local-files.ts.
    const why = isLocalPath(media.value) ? (media.value.startsWith("~") ? TILDE : undefined) : notReachable(media.value);
    if (why !== undefined) report(media.path, `${fieldName(media.path)} ${show(media.value)} ${why}`);
  }
};

const callbackHttps: Rule = ({ shot, report }) => {
  const callback = shot.callback_url;
  const why = callback === undefined ? undefined : badCallback(callback.value);
  if (callback !== undefined && why !== undefined) report(callback.path, `callback_url ${show(callback.value)} ${why}`);
};

const promptLength: ModelRule = ({ shot, report }, model, caps) => {
  const tokens = estimateTokens(shot.prompt.value);
  if (tokens > caps.maxPromptTokens) {
    report(shot.prompt.path, `prompt is too long for ${model}: about ${tokens} tokens (estimated as UTF-8 bytes / 2), at most ${caps.maxPromptTokens}`);
  }
};

const durationInRange: ModelRule = ({ shot, report }, model, caps) => {
  const { min, max } = caps.duration;
  const d = shot.duration;
  if (d.value < min || d.value > max) report(d.path, `duration must be ${min}..${max} for ${model} (got ${d.value})`);
};

function oneOf(key: "quality" | "aspect_ratio", allowed: (caps: ModelCaps) => readonly string[]): ModelRule {
  return ({ shot, report }, model, caps) => {
    const setting: Sourced<string> = shot[key];
    if (!allowed(caps).includes(setting.value)) {
      report(setting.path, `${key} must be one of ${allowed(caps).join(", ")} for ${model} (got ${show(setting.value)})`);
    }
  };
}

const modeSupported: ModelRule = ({ shot, report }, model, caps) => {
  if (caps.modes.includes(shot.mode)) return;
  const inputs = shot.mode === "text-to-video" ? "no image" : shot.mode === "reference" ? "reference inputs" : counted(shot.images.length, "image");
  // Point into the shot: the message is about this shot even when the model is the manifest's.
  const onShot = shot.model?.path[0] === "shots" ? shot.model.path : [...shot.images, ...shot.videos, ...shot.audios][0]?.path;
  report(onShot ?? shot.path, `${model} does not render ${shot.mode} (the shot has ${inputs}); models that do: ${modelsFor(shot.mode).join(", ")}`);
};

const referenceCounts: ModelRule = ({ shot, report }, model, caps) => {
  if (shot.mode !== "reference" || !caps.modes.includes("reference")) return;
  const lists = [
    { name: "image_urls", items: shot.images, max: caps.maxImages },
    { name: "video_urls", items: shot.videos, max: caps.maxVideos },
    { name: "audio_urls", items: shot.audios, max: caps.maxAudios },
  ];
  if (lists.every((l) => l.items.length === 0)) report(shot.path, "reference mode needs at least one of image_urls, video_urls, audio_urls");
  for (const { name, items, max } of lists) {
    const extra = items[max];
    if (extra !== undefined) report(extra.path, `${name} takes at most ${max} for ${model} (got ${items.length})`);
  }
};

const mediaTypes: ModelRule = ({ shot, report }) => {
  const kinds = [
    { items: shot.images, allowed: MEDIA_EXTENSIONS.image },
    { items: shot.videos, allowed: MEDIA_EXTENSIONS.video },
    { items: shot.audios, allowed: MEDIA_EXTENSIONS.audio },
  ];
  for (const { items, allowed } of kinds) {
    for (const media of items) {
      const ext = extensionOf(media.value);
      if (!isLocalPath(media.value) && notReachable(media.value) === undefined && !(allowed as readonly string[]).includes(ext)) {
        report(media.path, `${fieldName(media.path)} must end in ${allowed.join(", ")} (got ${show(ext === "" ? media.value : ext)})`);
      }
    }
  }
};

const COMMON_RULES: Rule[] = [modelNamed, promptNotEmpty, imageFieldsApart, framesNotReferences, mediaReachable, callbackHttps];
const MODEL_RULES: ModelRule[] = [
  promptLength,
  durationInRange,
  oneOf("quality", (caps) => caps.qualities),
  oneOf("aspect_ratio", (caps) => caps.aspectRatios),
  modeSupported,
  referenceCounts,
  mediaTypes,
];

export function checkShot(ctx: RuleContext): void {
  for (const rule of COMMON_RULES) rule(ctx);
  const model = ctx.shot.model?.value;
  const caps = model === undefined ? undefined : modelCaps(model);
  if (model !== undefined && caps !== undefined) for (const rule of MODEL_RULES) rule(ctx, model, caps);
}
