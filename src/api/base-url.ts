/**
 * EVOLINK_BASE_URL, checked before anything is sent: the bearer key goes with
 * every request, so plain http is refused except to this machine (the
 * simulator, a local gateway), and a value that is not a URL is a usage error
 * instead of a TypeError deep in the client.
 */
import { ShotlistError } from "../errors.js";

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export function checkBaseUrl(raw: string, name = "EVOLINK_BASE_URL"): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ShotlistError("usage", `${name} must be a URL such as https://api.evolink.ai, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol === "https:") return raw;
  if (url.protocol === "http:" && LOOPBACK.test(url.hostname)) return raw;
  if (url.protocol === "http:") {
    throw new ShotlistError(
      "usage",
      `${name} is plain http to ${url.hostname}, which would send the API key in clear text: use https (plain http is accepted only to this machine, e.g. http://127.0.0.1:PORT)`,
    );
  }
  throw new ShotlistError("usage", `${name} must be an https URL, got the scheme ${url.protocol} in ${JSON.stringify(raw)}`);
}
