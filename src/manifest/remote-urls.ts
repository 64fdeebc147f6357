/**
 * `validate --check-urls`: each distinct media URL the manifest names is
 * asked for once, a few at a time, with HEAD (a server that will not answer
 * HEAD is asked for its first byte with a ranged GET): it must answer 2xx,
 * with an image, video or audio content type matching its field, and a size
 * within the model's limit when the server states one. Off by default: it
 * touches the network, and the API's servers, not this machine, are the ones
 * that fetch them in the end.
 */
import { coerceError, type Problem } from "../errors.js";
import { maxFileBytes, sizeText } from "./file-limits.js";
import { mediaUses, onceEach, type MediaUse } from "./local-files.js";
import { fieldName, problemAt, show } from "./problem.js";
import type { Manifest } from "./schema.js";
import type { Source } from "./source.js";

/** URLs asked for at once. */
const PROBE_CONCURRENCY = 8;
const PROBE_TIMEOUT_MS = 10_000;

type Probe = { ok: true; contentType: string; bytes: number | undefined } | { ok: false; why: string };

export async function checkRemoteUrls(manifest: Manifest, source: Source): Promise<Problem[]> {
  // Called once the text check passed: every URL here is a well-formed public http(s) one.
  const uses = mediaUses(manifest, "", false);
  const probes = await onceEach(uses, PROBE_CONCURRENCY, probe);
  const problems: Problem[] = [];
  for (const use of uses) {
    const why = judge(use, probes.get(use.value) as Probe);
    if (why !== undefined) problems.push(problemAt(source, use.path, `${fieldName(use.path)} ${show(use.value)} ${why}`));
  }
  return problems;
}

function judge(use: MediaUse, probe: Probe): string | undefined {
  if (!probe.ok) return probe.why;
  const type = probe.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (!type.startsWith(`${use.kind}/`)) return `serves ${type === "" ? "no content type" : show(type)}, not ${use.kind}/*`;
  const max = maxFileBytes(use.kind, use.model, use.mode);
  if (probe.bytes !== undefined && probe.bytes > max) return `is ${sizeText(probe.bytes)} by its server; at most ${sizeText(max)} is taken here`;
  return undefined;
}

async function probe(url: string): Promise<Probe> {
  try {
    let res = await fetch(url, { method: "HEAD", redirect: "follow", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (!res.ok) {
      res = await fetch(url, { headers: { range: "bytes=0-0" }, redirect: "follow", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
    }
    if (!res.ok) return { ok: false, why: `is not reachable: HTTP ${res.status} to HEAD and to a ranged GET` };
    const total = /\/(\d+)$/.exec(res.headers.get("content-range") ?? "")?.[1] ?? (res.status === 206 ? undefined : res.headers.get("content-length"));
    return { ok: true, contentType: res.headers.get("content-type") ?? "", bytes: total === undefined || total === null ? undefined : Number(total) };
  } catch (err) {
    const cause = coerceError(err);
    return {
      ok: false,
      why: `is not reachable: ${cause.name === "TimeoutError" ? `no answer in ${PROBE_TIMEOUT_MS / 1000} s` : coerceError(cause.cause ?? err).message}`,
    };
  }
}
