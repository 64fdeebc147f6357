import { isIP } from "node:net";
import type { CreateRequest } from "../api/types.js";
import { SimApiError, invalidParam } from "./api-error.js";
import { ASPECT_RATIOS, ruleFor, type ModelRule } from "./models.js";

const MAX_PROMPT_TOKENS = 2000;

/**
 * Checks a create body field by field, as the API documents it for the model
 * named, and fills in the documented defaults. Unknown fields are ignored, as
 * the real API does. Returns the request to run; throws the SimApiError to answer.
 */
export function validateCreate(body: unknown, allowHttpCallbacks: boolean): CreateRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new SimApiError(400, "invalid_request", `expected a JSON object as the request body, got ${describe(body)}`);
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") throw invalidParam("model", `model is required (a model id string), got ${describe(b.model)}`);
  const model = b.model;
  const rule = ruleFor(model);
  if (rule === undefined) {
    throw new SimApiError(400, "model_not_found", `model "${model}" not found`, "model", "use a seedance model id such as seedance-1.5-pro");
  }
  const request: CreateRequest = {
    model,
    prompt: checkPrompt(b.prompt),
    duration: checkDuration(b.duration, rule, model),
    quality: checkEnum("quality", b.quality, rule.qualities, "720p", model),
    aspect_ratio: checkEnum("aspect_ratio", b.aspect_ratio, ASPECT_RATIOS, "16:9", model),
    generate_audio: checkBoolean("generate_audio", b.generate_audio, true),
  };
  const images = checkUrls("image_urls", b.image_urls, rule.images, model);
  const videos = checkUrls("video_urls", b.video_urls, [0, rule.maxVideos], model);
  const audios = checkUrls("audio_urls", b.audio_urls, [0, rule.maxAudios], model);
  if (images !== undefined) request.image_urls = images;
  if (videos !== undefined) request.video_urls = videos;
  if (audios !== undefined) request.audio_urls = audios;
  if (b.callback_url !== undefined) request.callback_url = checkCallbackUrl(b.callback_url, allowHttpCallbacks);
  return request;
}

function checkPrompt(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw invalidParam("prompt", `prompt is required (a non-empty string), got ${describe(value)}`);
  const tokens = estimateTokens(value);
  if (tokens > MAX_PROMPT_TOKENS) throw invalidParam("prompt", `prompt is limited to ${MAX_PROMPT_TOKENS} tokens, got about ${tokens}`);
  return value;
}

/** About four characters per token in Latin script, one per character elsewhere (CJK). */
function estimateTokens(text: string): number {
  const ascii = text.replace(/[^\x00-\x7f]/g, "").length;
  return Math.ceil(ascii / 4) + (text.length - ascii);
}

function checkDuration(value: unknown, rule: ModelRule, model: string): number {
  if (value === undefined) return 5;
  if (typeof value !== "number" || !Number.isInteger(value) || value < rule.minDuration || value > rule.maxDuration) {
    throw invalidParam("duration", `duration must be an integer from ${rule.minDuration} to ${rule.maxDuration} for ${model}, got ${describe(value)}`);
  }
  return value;
}

function checkEnum(param: string, value: unknown, allowed: readonly string[], fallback: string, model: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw invalidParam(param, `${param} must be one of ${allowed.join(", ")} for ${model}, got ${describe(value)}`);
  }
  return value;
}

function checkBoolean(param: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalidParam(param, `${param} must be true or false, got ${describe(value)}`);
  return value;
}

function checkUrls(param: string, value: unknown, [min, max]: readonly [number, number], model: string): string[] | undefined {
  if (value === undefined && min === 0) return undefined;
  const list = value ?? [];
  if (!Array.isArray(list)) throw invalidParam(param, `${param} must be an array of URLs, got ${describe(value)}`);
  if (list.length < min || list.length > max) {
    const want = max === 0 ? "not accepted" : min === max ? `exactly ${min}` : `${min} to ${max} URLs`;
    throw invalidParam(param, `${param}: ${want} for ${model}, got ${list.length}`);
  }
  list.forEach((url, i) => {
    if (typeof url !== "string" || !/^https?:$/.test(parseUrl(url)?.protocol ?? "")) {
      throw invalidParam(param, `${param}[${i}] must be an http(s) URL the API can reach, got ${describe(url)}`);
    }
  });
  return list as string[];
}

function checkCallbackUrl(value: unknown, allowHttpCallbacks: boolean): string {
  const url = typeof value === "string" ? parseUrl(value) : undefined;
  if (url === undefined) throw invalidParam("callback_url", `callback_url must be an https URL, got ${describe(value)}`);
  const loopback = isLoopback(url.hostname);
  if (allowHttpCallbacks && loopback && (url.protocol === "http:" || url.protocol === "https:")) return value as string;
  if (url.protocol !== "https:") throw invalidParam("callback_url", `callback_url must use https, got ${url.protocol.slice(0, -1)}`);
  if (loopback || isPrivate(url.hostname))
    throw invalidParam("callback_url", `callback_url must not point to a private or internal address, got ${url.hostname}`);
  return value as string;
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\./.test(host);
}

/** Private, link-local and unique-local literals; names are not resolved (the real API would). */
function isPrivate(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare) === 6) return /^(fc|fd|fe80)/i.test(bare) || bare === "::";
  return isIP(bare) === 4 && /^(10\.|192\.168\.|169\.254\.|0\.|172\.(1[6-9]|2\d|3[01])\.)/.test(bare);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- String() only for what JSON cannot show (a function, a symbol)
  return `${JSON.stringify(value) ?? String(value)} (${Array.isArray(value) ? "array" : value === null ? "null" : typeof value})`;
}
