import { PUBLIC_PRICES, type Price } from "../model/price.js";
import type { Mode } from "./job.js";

/**
 * What each model accepts: the one table every per-model rule reads. The
 * Seedance 2.0 docs warn its parameters may still change, so a change there
 * is an edit here and nowhere else.
 */
export interface ModelCaps {
  /** The modes this model renders; a shot whose inputs call for another mode is refused. */
  modes: readonly Mode[];
  duration: { min: number; max: number };
  qualities: readonly string[];
  aspectRatios: readonly string[];
  maxPromptTokens: number;
  maxImages: number;
  maxVideos: number;
  maxAudios: number;
  /** Public default price (../shared/evolink-contract.md); absent: no estimate (the mini tier has no published price). */
  price?: Price;
}

/** File types, judged by the URL's path ending (query string ignored). */
export const MEDIA_EXTENSIONS = {
  image: [".jpg", ".jpeg", ".png", ".webp"],
  video: [".mp4", ".mov"],
  // Audio formats are not in the seed documents; the gateway docs name these two.
  audio: [".mp3", ".wav"],
} as const;

/** Request fields the API fills in when they are absent; shotlist sends them explicitly. */
export const API_DEFAULTS = {
  duration: 5,
  quality: "720p",
  aspect_ratio: "16:9",
  generate_audio: true,
} as const;

const ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive"] as const;

const SEEDANCE_1_5: ModelCaps = {
  modes: ["text-to-video", "image-to-video", "first-last-frame"],
  duration: { min: 4, max: 12 },
  qualities: ["480p", "720p"],
  aspectRatios: ASPECT_RATIOS,
  maxPromptTokens: 2000,
  maxImages: 2,
  maxVideos: 0,
  maxAudios: 0,
  price: PUBLIC_PRICES["seedance-1.5-pro"],
};

const SEEDANCE_2_0_BASE = {
  duration: { min: 4, max: 15 },
  qualities: ["480p", "720p", "1080p"],
  aspectRatios: ASPECT_RATIOS,
  maxPromptTokens: 2000,
} as const;

const SEEDANCE_2_0: Record<"text-to-video" | "image-to-video" | "reference-to-video", ModelCaps> = {
  "text-to-video": { ...SEEDANCE_2_0_BASE, modes: ["text-to-video"], maxImages: 0, maxVideos: 0, maxAudios: 0 },
  "image-to-video": { ...SEEDANCE_2_0_BASE, modes: ["image-to-video", "first-last-frame"], maxImages: 2, maxVideos: 0, maxAudios: 0 },
  "reference-to-video": { ...SEEDANCE_2_0_BASE, modes: ["reference"], maxImages: 9, maxVideos: 3, maxAudios: 3 },
};

function seedance20Family(): Record<string, ModelCaps> {
  const table: Record<string, ModelCaps> = {};
  const prices: Record<string, Price | undefined> = { "": PUBLIC_PRICES["seedance-2.0"], "fast-": PUBLIC_PRICES["seedance-2.0-fast"], "mini-": undefined };
  for (const [tier, price] of Object.entries(prices)) {
    for (const [kind, caps] of Object.entries(SEEDANCE_2_0)) table[`seedance-2.0-${tier}${kind}`] = price === undefined ? caps : { ...caps, price };
  }
  return table;
}

export const MODELS: Readonly<Record<string, ModelCaps>> = {
  "seedance-1.5-pro": SEEDANCE_1_5,
  ...seedance20Family(),
};

export function modelCaps(model: string): ModelCaps | undefined {
  return Object.hasOwn(MODELS, model) ? MODELS[model] : undefined;
}

/** Known models that render `mode`, for "use one of these" hints. */
export function modelsFor(mode: Mode): string[] {
  return Object.entries(MODELS)
    .filter(([, caps]) => caps.modes.includes(mode))
    .map(([id]) => id);
}

/**
 * The mode a shot renders in, from its inputs and model. Video or audio
 * references, or more than two images, can only mean reference mode; so does a
 * reference-to-video model (known, or an unknown id that says so). Otherwise
 * the image count decides, as the API does: 0 text, 1 image, 2 first+last frame.
 */
export function modeFor(model: string | undefined, counts: { images: number; videos: number; audios: number }): Mode {
  if (counts.videos > 0 || counts.audios > 0 || counts.images > 2) return "reference";
  const caps = model === undefined ? undefined : modelCaps(model);
  const referenceModel = caps === undefined ? (model?.includes("reference-to-video") ?? false) : caps.modes.every((m) => m === "reference");
  if (referenceModel) return "reference";
  return counts.images === 0 ? "text-to-video" : counts.images === 1 ? "image-to-video" : "first-last-frame";
}
