import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { runCommand } from "../../src/cli/commands/run.js";
import { startSimulator } from "../../src/sim/index.js";
import { manifestDir } from "./manifest-files.js";

const MANIFEST =
  'version: 1\nname: bar\nmodel: seedance-1.5-pro\ndefaults: { duration: 4, quality: 480p, generate_audio: false }\nshots:\n  - { id: s01, prompt: "A lighthouse" }\n';
/** What readline writes to clear the bar's line: up one line, column 1, clear to the end of the screen. */
const CLEAR_BAR_LINE = "\x1b[1A\x1b[1G\x1b[0J";

const files = manifestDir();
afterAll(files.remove);

describe("a run interrupted on a terminal", () => {
  it("clears its bar, then says what it leaves rendering at the API", async () => {
    // Long enough that the task is still rendering when the run is interrupted.
    const sim = await startSimulator({ genTimeMs: 60_000, jitterMs: 0 });
    onTestFinished(() => sim.close());
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    const stdout = new PassThrough();
    const interrupt = new AbortController();
    let text = "";
    stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes("1 generating")) interrupt.abort();
    });
    stdout.resume();
    const manifest = files.write("bar.yaml", MANIFEST);
    const code = await runCommand.run({
      values: { out: join(dirname(manifest), "bar-out"), "poll-interval": "0.05" },
      positionals: [manifest],
      stdout,
      stderr,
      env: { EVOLINK_BASE_URL: sim.url, EVOLINK_API_KEY: sim.apiKey },
      signal: interrupt.signal,
    });
    expect(code).toBe(130);
    const afterLastFrame = text.slice(text.lastIndexOf("finished |"));
    expect(afterLastFrame).toMatch(/elapsed, ETA .*$/m);
    expect(afterLastFrame.slice(afterLastFrame.indexOf("\n"))).toBe(
      `\n${CLEAR_BAR_LINE}interrupted: 1 task still rendering at the API (billed); rerun to collect them\n`,
    );
  });
});
