/**
 * How EvoLink bills a video task, from its public default prices
 * (../shared/evolink-contract.md, "Credits"): per second of video at 720p
 * without audio, times a factor for the quality and one for audio, never
 * less than a minimum a task. Accounts may pay other prices: what a task
 * reserves (`usage.credits_reserved`) is the authority; this is the
 * estimate before it. Here, below manifest and sim, so the estimate and the
 * simulator's charge follow one rule.
 */
export interface Price {
  /** Credits per second of video at 720p, no audio. */
  perSecond: number;
  /** Factor by quality; a quality missing here has no estimate. */
  quality: Readonly<Record<string, number>>;
  /** Factor when generate_audio is on. */
  audio: number;
  /** The least a task is billed. */
  minimum: number;
}

/** What a price is applied to: the billed fields of a create. */
export interface Billed {
  duration: number;
  quality: string;
  generate_audio: boolean;
}

/** Credits a task of `request` costs at `price`; undefined when the price does not know its quality. */
export function creditsAt(price: Price, request: Billed): number | undefined {
  const factor = price.quality[request.quality];
  if (factor === undefined) return undefined;
  return Math.max(price.minimum, price.perSecond * request.duration * factor * (request.generate_audio ? price.audio : 1));
}

/** Public default prices by model family (a capture of 2026-10-10). */
export const PUBLIC_PRICES = {
  /** 5 s at 720p with audio about 17.8 credits; 5 s at 480p silent about 4.1. */
  "seedance-1.5-pro": { perSecond: 1.7784, quality: { "480p": 0.46, "720p": 1, "1080p": 2.23 }, audio: 2, minimum: 3.4445 },
  // The contract gives 2.0 no audio factor and no minimum: none is assumed.
  "seedance-2.0": { perSecond: 13.5, quality: { "480p": 0.465, "720p": 1, "1080p": 2.5 }, audio: 1, minimum: 0 },
  // Only the 720p rate is published for fast; the standard tier's factors are assumed.
  "seedance-2.0-fast": { perSecond: 8.2, quality: { "480p": 0.465, "720p": 1, "1080p": 2.5 }, audio: 1, minimum: 0 },
} as const satisfies Record<string, Price>;
