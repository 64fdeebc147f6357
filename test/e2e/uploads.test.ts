/**
 * Local frames through the real CLI: uploads before the creates, a kill in
 * the middle of them, a files service that refuses the key, and the key in
 * no byte written.
 */
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startSimulator } from "../../src/sim/index.js";
import { openStore } from "../../src/store/index.js";
import { writePng } from "../helpers/media-files.js";
import { ALL_DONE, createsPerKey, jobOutcomes, readTree, useWorkspace, type Workspace } from "./e2e-helpers.js";

/** A manifest named e2e of `count` image-to-video shots, shot N on its own frame frames/fN.png. */
function framesManifest(count: number): string {
  const shots = Array.from({ length: count }, (_, i) => {
    const id = `s${String(i + 1).padStart(2, "0")}`;
    return `  - id: ${id}\n    prompt: "Shot ${i + 1}: the door opens"\n    image: frames/f${i + 1}.png`;
  });
  return ["version: 1", "name: e2e", "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p, generate_audio: false }", "shots:", ...shots, ""].join(
    "\n",
  );
}

async function writeFrames(ws: Workspace, count: number): Promise<void> {
  for (let i = 1; i <= count; i++) await writePng(join(ws.dir, "frames", `f${i}.png`), i);
}

const filesEnv = (ws: Workspace): Record<string, string> => ({ EVOLINK_FILES_URL: ws.sim.url });
const uploaded = (ws: Workspace) => ws.sim.ledger.uploads.filter((u) => u.route === "upload" && u.success === true);

describe("local frames, end to end", () => {
  it("resumes a run killed during its uploads with no second upload of a recorded file and one create per job", async () => {
    // Every files request waits 400 ms: with four uploads at a time, the fifth starts only once one was answered and recorded.
    const ws = await useWorkspace({ delayMs: 400, faultRoutes: ["files"] }, framesManifest(6));
    await writeFrames(ws, 6);
    let filesRequests = 0;
    const fifthUpload = new Promise<void>((resolve) =>
      ws.sim.ledger.onFault((fault) => {
        // The quota read, then uploads 1..4, then the fifth.
        if (fault.route === "files" && fault.kind === "delay" && ++filesRequests === 6) resolve();
      }),
    );
    const first = ws.run([], filesEnv(ws));
    await fifthUpload;
    first.child.kill("SIGKILL");
    expect((await first.result).signal).toBe("SIGKILL");
    const afterKill = uploaded(ws).length;
    const store = openStore(join(ws.batchDir, ".shotlist", "state.db"));
    const recorded = store.listUploads().map((u) => u.sha256);
    store.close();
    expect(recorded.length).toBeGreaterThan(0);
    expect(ws.sim.ledger.creates).toHaveLength(0);

    ws.sim.setFaults({ delayMs: 0 });
    const second = await ws.run(["--keep-uploads"], filesEnv(ws)).result;

    expect(second.code, second.stderr).toBe(0);
    expect(await jobOutcomes(ws)).toEqual(ALL_DONE(6));
    expect(createsPerKey(ws)).toEqual([1, 1, 1, 1, 1, 1]);
    const again = uploaded(ws)
      .slice(afterKill)
      .map((u) => u.sha256 ?? "");
    expect(again.filter((sha) => recorded.includes(sha))).toEqual([]);
    expect(new Set(uploaded(ws).map((u) => u.sha256)).size).toBe(6);
  });

  it("ends with exit 3 before any create when the files service refuses the key", async () => {
    const ws = await useWorkspace({}, framesManifest(2));
    await writeFrames(ws, 2);
    const files = await startSimulator({ apiKey: "sk-another-account" });
    onTestFinished(() => files.close());

    const { code, stderr } = await ws.run([], { EVOLINK_FILES_URL: files.url }).result;

    expect(code).toBe(3);
    expect(stderr).toContain("answered 401 with success false, code 401 (auth): the API key is not valid");
    expect(ws.sim.ledger.creates).toHaveLength(0);
  });

  it("never writes the API key to any byte: output, state file, sidecars, report", async () => {
    const secret = "sk-e2e-uploads-SECRET-4f1d9c";
    const ws = await useWorkspace({ apiKey: secret }, framesManifest(3));
    await writeFrames(ws, 3);

    const result = await ws.run(["--json"], filesEnv(ws)).result;

    expect(result.code, result.stderr).toBe(0);
    expect(uploaded(ws)).toHaveLength(3);
    expect(result.stdout + result.stderr).not.toContain(secret);
    for (const file of await readTree(ws.dir)) expect(file.bytes.includes(secret), file.path).toBe(false);
  });
});
