/**
 * What each model accepts, in one table: EvoLink warns the Seedance 2.0
 * parameters may still change, so changes land here only.
 */
export interface ModelRule {
  minDuration: number;
  maxDuration: number;
  qualities: readonly string[];
  /** How many image_urls, inclusive. */
  images: readonly [min: number, max: number];
  maxVideos: number;
  maxAudios: number;
}

export const ASPECT_RATIOS = ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "adaptive"] as const;

const SEEDANCE_1_5: ModelRule = { minDuration: 4, maxDuration: 12, qualities: ["480p", "720p"], images: [0, 2], maxVideos: 0, maxAudios: 0 };

/** Seedance 2.0 ids differ by mode only (which media each accepts); the fast and mini tiers take the same parameters. */
const SEEDANCE_2_0 = {
  "text-to-video": { images: [0, 0], maxVideos: 0, maxAudios: 0 },
  "image-to-video": { images: [1, 2], maxVideos: 0, maxAudios: 0 },
  "reference-to-video": { images: [0, 9], maxVideos: 3, maxAudios: 3 },
} as const;

const seedance2 = (mode: keyof typeof SEEDANCE_2_0): ModelRule => ({
  minDuration: 4,
  maxDuration: 15,
  qualities: ["480p", "720p", "1080p"],
  ...SEEDANCE_2_0[mode],
});

const MODELS: ReadonlyMap<string, ModelRule> = new Map([
  ["seedance-1.5-pro", SEEDANCE_1_5],
  ...(Object.keys(SEEDANCE_2_0) as (keyof typeof SEEDANCE_2_0)[]).flatMap((mode) =>
    ["", "fast-", "mini-"].map((tier) => [`seedance-2.0-${tier}${mode}`, seedance2(mode)] as const),
  ),
]);

/**
 * A `seedance-*` id the table does not know (a model newer than the table):
 * accepted with the widest 2.0 limits rather than refused.
 */
const UNKNOWN_SEEDANCE = seedance2("reference-to-video");

export function ruleFor(model: string): ModelRule | undefined {
  return MODELS.get(model) ?? (model.startsWith("seedance-") ? UNKNOWN_SEEDANCE : undefined);
}

/** Credits per second of video; generate_audio doubles it (the seeds: "audio adds cost"). */
const CREDITS_PER_SECOND: Record<string, number> = { "480p": 3, "720p": 5, "1080p": 10 };

/** Credits a create reserves: 5 s of 720p with audio = 50, as in EvoLink's example. */
export function creditsFor(duration: number, quality: string, audio: boolean): number {
  return duration * (CREDITS_PER_SECOND[quality] ?? 5) * (audio ? 2 : 1);
}
