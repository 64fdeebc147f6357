import { PUBLIC_PRICES, creditsAt, type Billed, type Price } from "../model/price.js";

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

/**
 * Credits a create reserves, by the public default prices (the same rule the
 * estimate follows). A model or quality without a published price (the mini
 * tier, a seedance id the table does not know) is charged as the 2.0
 * standard tier at 720p: the simulator must reserve something.
 */
export function creditsFor(request: Billed & { model: string }): number {
  const price = priceOf(request.model);
  return creditsAt(price, request) ?? creditsAt(price, { ...request, quality: "720p" }) ?? 0;
}

function priceOf(model: string): Price {
  if (model === "seedance-1.5-pro") return PUBLIC_PRICES["seedance-1.5-pro"];
  return model.startsWith("seedance-2.0-fast-") ? PUBLIC_PRICES["seedance-2.0-fast"] : PUBLIC_PRICES["seedance-2.0"];
}
