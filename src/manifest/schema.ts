import { z } from "zod";
import { parseTarget } from "../deliver/s3/target.js";

/**
 * The shape of a manifest (version 1). Zod checks types and the rules that do
 * not depend on the model; per-model ranges live in rules.ts, read from
 * models.ts. Each error text is a predicate ("must be ..."): issues.ts puts the
 * field name in front and the value that came behind.
 */

export const SHOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const BATCH_NAME = /^[A-Za-z0-9._-]+$/;
/**
 * Most tasks one run keeps in flight (manifest `concurrency`, run --concurrency).
 * The API publishes no concurrency limit (a 429 covers both, and the runner
 * halves its limit on one); this bound is the runner's own: each task in flight
 * holds a timer and a few KB, and 10,000 is twice what the bench runs (5,000 in flight).
 */
export const MAX_CONCURRENCY = 10_000;

/** "." and ".." match BATCH_NAME but name the output folder's own parent (or itself), not a folder of their own. */
function notDots(name: string): boolean {
  return name !== "." && name !== "..";
}

/** Names the batch folder holds for itself: a shot or profile folder of that name would collide with them (any case, for case-blind disks). */
const LAYOUT_NAMES: ReadonlySet<string> = new Set([".shotlist", "report.json"]);
const notLayoutName = (name: string): boolean => !LAYOUT_NAMES.has(name.toLowerCase());
const LAYOUT_NAME_ERROR = 'must not be ".shotlist" or "report.json": the batch folder holds those itself';

function intIn(min: number, max: number) {
  const error = `must be an integer ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

const text = z.string({ error: "must be a string" });
const url = z.string({ error: "must be a URL (a string)" });
const urls = z.array(url, { error: "must be a list of URLs" });

/** Request settings: allowed in `defaults`, in each profile and on each shot. */
const settings = {
  duration: z
    .number({ error: "must be a positive whole number of seconds" })
    .int({ error: "must be a positive whole number of seconds" })
    .positive({ error: "must be a positive whole number of seconds" }),
  quality: text,
  aspect_ratio: text,
  generate_audio: z.boolean({ error: "must be true or false" }),
  callback_url: url,
};

export const settingsSchema = z.strictObject(settings, { error: "must be a map of settings (duration, quality, ...)" }).partial();

export const shotSchema = z.strictObject(
  {
    id: z
      .string({ error: "must be a string" })
      .regex(SHOT_ID, { error: "must start with a letter or digit and hold only A-Z a-z 0-9 . _ - (at most 64 characters): it names a folder" })
      .refine(notLayoutName, { error: LAYOUT_NAME_ERROR }),
    prompt: text,
    model: text.optional(),
    ...settingsSchema.shape,
    image: url.optional(),
    first_frame: url.optional(),
    last_frame: url.optional(),
    image_urls: urls.optional(),
    video_urls: urls.optional(),
    audio_urls: urls.optional(),
    takes: intIn(1, 20).optional(),
  },
  { error: "must be a map with at least id and prompt" },
);

/** Where clips go after the batch folder: an S3-compatible bucket. `run --deliver` replaces `to`. */
export const deliverSchema = z.strictObject(
  {
    to: text.superRefine((to, ctx) => {
      const parsed = parseTarget(to);
      if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
    }),
    endpoint: url.regex(/^https?:\/\/[^\s]+$/, { error: "must be an http:// or https:// URL" }).optional(),
    region: text.optional(),
    path_style: z.boolean({ error: "must be true or false" }).optional(),
  },
  { error: "must be a map with to (s3://BUCKET/PREFIX) and optionally endpoint, region, path_style" },
);

export const manifestSchema = z.strictObject(
  {
    version: z.literal(1, { error: "must be 1 (the only manifest version so far)" }),
    name: z
      .string({ error: "must be a string" })
      .regex(BATCH_NAME, { error: "must hold only A-Z a-z 0-9 . _ - : it names the output folder" })
      .refine(notDots, { error: 'must not be "." or "..": it names the output folder' }),
    model: text.optional(),
    // The same range as run --concurrency.
    concurrency: intIn(1, MAX_CONCURRENCY).optional(),
    deliver: deliverSchema.optional(),
    budget: z
      .strictObject(
        { max_credits: z.number({ error: "must be a positive number of credits" }).positive({ error: "must be a positive number of credits" }) },
        { error: "must be a map with max_credits" },
      )
      .optional(),
    defaults: settingsSchema.optional(),
    profiles: z
      .record(
        z
          .string()
          .regex(BATCH_NAME, { error: "must hold only A-Z a-z 0-9 . _ -" })
          .refine(notDots, { error: 'must not be "." or "..": it names a folder' })
          .refine(notLayoutName, { error: LAYOUT_NAME_ERROR }),
        settingsSchema,
        { error: "must be a map of profile name to settings" },
      )
      .optional(),
    shots: z.array(shotSchema, { error: "must be a list of shots" }).min(1, { error: "must list at least one shot" }),
  },
  { error: "must be a YAML map with version, name and shots" },
);

export type Manifest = z.infer<typeof manifestSchema>;
/** Everything but the shots: what each shot is resolved against. */
export type ManifestHead = Omit<Manifest, "shots">;

/** The manifest with its shots left unchecked, so each shot can be checked on its own. */
export const manifestHeadSchema = manifestSchema.extend({
  shots: z.array(z.unknown(), { error: "must be a list of shots" }).min(1, { error: "must list at least one shot" }),
});
export type Shot = z.infer<typeof shotSchema>;
export type Settings = z.infer<typeof settingsSchema>;

/** The keys allowed in the object at `path`, for "did you mean" hints. */
export function keysAt(path: readonly PropertyKey[]): readonly string[] {
  const [head] = path;
  if (path.length === 0) return Object.keys(manifestSchema.shape);
  if (head === "defaults" || head === "profiles") return Object.keys(settingsSchema.shape);
  if (head === "shots") return Object.keys(shotSchema.shape);
  if (head === "deliver") return Object.keys(deliverSchema.shape);
  return [];
}
