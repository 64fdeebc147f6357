/**
 * What a media or callback URL must look like. The API fetches every input
 * itself, so a URL is useful only if its servers can reach it; a local path
 * is uploaded first (src/runner/uploads.ts) and checked on disk (local-files.ts).
 */
import { fileURLToPath } from "node:url";

const OR_LOCAL = "give a URL its servers can reach, or the file's local path (shotlist uploads it)";

/**
 * Whether a media value names a local file: a path (relative or absolute, a
 * Windows drive too), or a file: URL. Anything else with a scheme is a URL.
 */
export function isLocalPath(value: string): boolean {
  return /^file:/i.test(value) || !/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value);
}

/** The file a local media value names, as the manifest wrote it (a file: URL turned into its path). */
export function localPathText(value: string): string {
  if (!/^file:/i.test(value)) return value;
  try {
    return fileURLToPath(value);
  } catch {
    return value;
  }
}

/** Why `value` (a URL, not a local path) is not a reachable http(s) URL, or undefined when it is one. */
export function notReachable(value: string): string | undefined {
  const url = parse(value);
  if (url === undefined) return "is not a valid URL";
  if (url.protocol !== "http:" && url.protocol !== "https:") return `must be an http(s) URL, not ${url.protocol}`;
  if (isPrivateHost(url.hostname)) return `points at a loopback or private address, which the API's servers cannot reach: ${OR_LOCAL}`;
  return undefined;
}

/** The extension of the URL's path (query and fragment ignored), lower-cased, e.g. ".png". */
export function extensionOf(value: string): string {
  const pathname = parse(value)?.pathname ?? "";
  const dot = pathname.lastIndexOf(".");
  return dot > pathname.lastIndexOf("/") ? pathname.slice(dot).toLowerCase() : "";
}

/** Why the API would refuse `value` as a callback_url, or undefined. */
export function badCallback(value: string): string | undefined {
  const url = parse(value);
  if (url === undefined) return "is not a valid URL";
  if (url.protocol !== "https:") return "must be an https URL (the API calls back over HTTPS only)";
  if (isPrivateHost(url.hostname)) return "points at a private or internal address, which the API refuses";
  return undefined;
}

/** Loopback, private, link-local and .local names: nothing the API's servers can reach. */
function isPrivateHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    bare === "localhost" ||
    bare.endsWith(".localhost") ||
    bare.endsWith(".local") ||
    bare === "::1" ||
    (bare.includes(":") && /^(fc|fd|fe80)/.test(bare)) ||
    /^(0|10|127)\./.test(bare) ||
    /^169\.254\./.test(bare) ||
    /^192\.168\./.test(bare) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(bare)
  );
}

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
