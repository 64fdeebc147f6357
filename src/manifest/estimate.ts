/**
 * What a create will cost, before the API says: the rate observed from the
 * batch's own earlier tasks (their `credits_reserved`) for the same model,
 * quality and audio where there is one, else the model's public default
 * price (models.ts). A model with neither has no estimate, and says so.
 */
import type { CreateRequest } from "../api/types.js";
import type { JobRow } from "../model/rows.js";
import { creditsAt, type Billed } from "../model/price.js";
import { modelCaps } from "./models.js";
import { noun } from "../text.js";

export type Estimate = { credits: number; from: "observed" | "public" } | { credits: undefined; from: "none" };

type Priced = Billed & Pick<CreateRequest, "model">;

/** The public default estimate of one create, or undefined when its model (or quality) has no published price. */
export function publicCredits(request: Priced): number | undefined {
  const price = modelCaps(request.model)?.price;
  return price === undefined ? undefined : creditsAt(price, request);
}

const rateKey = (r: Priced): string => `${r.model}\n${r.quality}\n${r.generate_audio ? "audio" : "silent"}`;

/** Credits per second seen per (model, quality, audio): a mean over the tasks seen, weighted by their seconds. */
export class ObservedRates {
  readonly #seen = new Map<string, { credits: number; seconds: number }>();

  /** Rates from rows whose task reserved credits. */
  static fromRows(rows: readonly Pick<JobRow, "request_json" | "credits_reserved">[]): ObservedRates {
    const rates = new ObservedRates();
    for (const row of rows) if (row.credits_reserved !== null) rates.observe(JSON.parse(row.request_json) as CreateRequest, row.credits_reserved);
    return rates;
  }

  observe(request: Priced, credits: number): void {
    if (request.duration <= 0) return;
    const key = rateKey(request);
    const seen = this.#seen.get(key) ?? { credits: 0, seconds: 0 };
    this.#seen.set(key, { credits: seen.credits + credits, seconds: seen.seconds + request.duration });
  }

  /** Whether a reservation of this model, quality and audio was seen. */
  has(request: Priced): boolean {
    return this.#seen.has(rateKey(request));
  }

  estimate(request: Priced): Estimate {
    const seen = this.#seen.get(rateKey(request));
    if (seen !== undefined) return { credits: (seen.credits / seen.seconds) * request.duration, from: "observed" };
    const credits = publicCredits(request);
    return credits === undefined ? { credits: undefined, from: "none" } : { credits, from: "public" };
  }
}

/** "81.8": credits as the estimate lines print them (one decimal, no float noise). */
export function creditsText(credits: number): string {
  return String(Math.round(credits * 10) / 10);
}

/** "81.8 credits", "1 credit". */
export function creditsCount(credits: number): string {
  const text = creditsText(credits);
  return `${text} ${noun(Number(text), "credit")}`;
}
