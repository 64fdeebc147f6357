/**
 * What the two baseline scripts share: their arguments, the manifest read
 * with the yaml package, the request each shot sends, and p-limit around the
 * batch. Each script supplies only its HTTP (fetch or undici).
 *
 *   EVOLINK_BASE_URL=... EVOLINK_API_KEY=... node <script> <manifest> <out-dir> [concurrency] [poll-ms]
 */
import { readFile } from "node:fs/promises";
import pLimit from "p-limit";
import { parse } from "yaml";

export interface Shot {
  id: string;
  prompt: string;
}
interface Manifest {
  model: string;
  defaults?: Record<string, unknown>;
  shots: Shot[];
}
export interface Task {
  id: string;
  status: string;
  results?: string[];
}

export interface Script {
  base: string;
  headers: Record<string, string>;
  outDir: string;
  concurrency: number;
  pollMs: number;
}

export function scriptArgs(name: string): Script & { manifestPath: string } {
  const [manifestPath, outDir, concurrencyArg, pollArg] = process.argv.slice(2);
  if (manifestPath === undefined || outDir === undefined) throw new Error(`usage: ${name} <manifest> <out-dir> [concurrency] [poll-ms]`);
  return {
    manifestPath,
    outDir,
    base: process.env.EVOLINK_BASE_URL ?? "https://api.evolink.ai",
    headers: { authorization: `Bearer ${process.env.EVOLINK_API_KEY ?? ""}`, "content-type": "application/json" },
    concurrency: Number(concurrencyArg ?? 4),
    pollMs: Number(pollArg ?? 5000),
  };
}

/**
 * Renders every shot of the manifest, `concurrency` at a time, with `render`;
 * exits 1 (and prints the first few reasons) if any failed.
 */
export async function renderAll(
  script: Script & { manifestPath: string },
  render: (request: Record<string, unknown>, shot: Shot) => Promise<void>,
): Promise<void> {
  const manifest = parse(await readFile(script.manifestPath, "utf8")) as Manifest;
  const limit = pLimit(script.concurrency);
  const request = (shot: Shot): Record<string, unknown> => ({
    model: manifest.model,
    duration: 5,
    quality: "720p",
    aspect_ratio: "16:9",
    generate_audio: true,
    ...manifest.defaults,
    prompt: shot.prompt,
  });
  const results = await Promise.allSettled(manifest.shots.map((shot) => limit(() => render(request(shot), shot))));
  const failed = results.filter((r) => r.status === "rejected");
  for (const f of failed.slice(0, 5)) console.error(String(f.reason));
  process.exitCode = failed.length === 0 ? 0 : 1;
}
