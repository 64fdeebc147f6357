/**
 * The HTTP half of a download: one GET (with an optional Range) that follows
 * redirects by hand, so their number and loops are ours to bound, and that
 * maps every status it cannot use to a DownloadError kind.
 */
import { request, type Dispatcher } from "undici";
import { DownloadError } from "./download-error.js";

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** The host says the result is gone: signed URLs answer 403 once they expire. */
const GONE: ReadonlySet<number> = new Set([403, 404, 410]);

export interface FetchOptions {
  dispatcher: Dispatcher;
  maxRedirects: number;
  /** Send `Range: bytes=<from>-` when above 0. */
  from: number;
  signal: AbortSignal | undefined;
}

/** An answer whose body is the file, or a part of it (200, 206), or 416. */
export type Usable = Dispatcher.ResponseData & { url: URL };

export function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DownloadError("invalid", `expected an http(s) URL for the result, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new DownloadError("invalid", `expected an http(s) URL for the result, got a ${url.protocol} URL`);
  }
  return url;
}

/**
 * Where a URL is, without its query: result URLs are signed, and a signature
 * has no place in an error message or a log.
 */
export function where(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

export async function fetchResult(start: URL, options: FetchOptions): Promise<Usable> {
  const seen = new Set([start.href]);
  let url = start;
  for (;;) {
    // No Authorization, ever: the result host is not the API and must not see the key.
    const headers: Record<string, string> = options.from > 0 ? { range: `bytes=${options.from}-` } : {};
    const res = await request(url, { dispatcher: options.dispatcher, method: "GET", headers, signal: options.signal }).catch((err: unknown) => {
      throw new DownloadError("transient", `could not reach ${where(url)}: ${(err as Error).message}`, { cause: err });
    });
    if (res.statusCode === 200 || res.statusCode === 206 || res.statusCode === 416) return Object.assign(res, { url });
    await res.body.dump();
    if (!REDIRECTS.has(res.statusCode)) throw statusError(res.statusCode, url);
    url = nextHop(url, res.headers.location, res.statusCode);
    if (seen.has(url.href)) throw new DownloadError("invalid", `redirect loop: ${where(url)} was already visited`);
    if (seen.size > options.maxRedirects) throw new DownloadError("invalid", `more than ${options.maxRedirects} redirects from ${where(start)}`);
    seen.add(url.href);
  }
}

function nextHop(from: URL, location: string | string[] | undefined, status: number): URL {
  const target = Array.isArray(location) ? location[0] : location;
  if (target === undefined) throw new DownloadError("invalid", `${where(from)} answered ${status} without a Location`, { status });
  try {
    return parseHttpUrl(new URL(target, from).href);
  } catch {
    throw new DownloadError("invalid", `${where(from)} redirected to ${JSON.stringify(target)}, which is not an http(s) URL`, { status });
  }
}

function statusError(status: number, url: URL): DownloadError {
  if (GONE.has(status)) return new DownloadError("expired", `${where(url)} answered ${status}: the result URL has expired or is gone`, { status });
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return new DownloadError("invalid", `${where(url)} answered ${status}: the request for the result was refused`, { status });
  }
  return new DownloadError("transient", `${where(url)} answered ${status}`, { status });
}
