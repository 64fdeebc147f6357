/**
 * The chaos batch: `jobs` jobs over every mode shotlist renders with
 * seedance-1.5-pro (text, image, first-last frame), some shots with two
 * takes, audio on and off, and prompts carrying the simulator's `[policy]`
 * (never renders) and `[transient]` (the first task fails, a retry renders)
 * markers.
 */

export const CHAOS_BATCH = "chaos";

export interface ChaosManifest {
  yaml: string;
  jobs: number;
  shots: number;
  /** Shot ids whose prompt carries [policy]. */
  policyShots: Set<string>;
  policyJobs: number;
  transientShots: Set<string>;
  modes: Record<"text" | "image" | "first-last", number>;
}

export function chaosManifest(jobs: number): ChaosManifest {
  const lines = ["version: 1", `name: ${CHAOS_BATCH}`, "model: seedance-1.5-pro", "defaults: { duration: 4, quality: 480p, generate_audio: false }", "shots:"];
  const policyShots = new Set<string>();
  const transientShots = new Set<string>();
  const modes = { text: 0, image: 0, "first-last": 0 };
  let count = 0;
  let shot = 0;
  let policyJobs = 0;
  for (; count < jobs; shot++) {
    const id = `s${String(shot + 1).padStart(3, "0")}`;
    const takes = Math.min(shot % 5 === 4 ? 2 : 1, jobs - count);
    const marker = shot % 23 === 7 ? " [policy]" : shot % 11 === 5 ? " [transient]" : "";
    if (marker === " [policy]") {
      policyShots.add(id);
      policyJobs += takes;
    }
    if (marker === " [transient]") transientShots.add(id);
    lines.push(`  - id: ${id}`, `    prompt: ${JSON.stringify(`Shot ${shot + 1}: a lighthouse keeper climbs the stairs at dusk${marker}`)}`);
    const mode = (["text", "image", "first-last"] as const)[shot % 3] ?? "text";
    modes[mode] += takes;
    if (mode === "image") lines.push(`    image: https://example.com/frames/${id}.png`);
    if (mode === "first-last") lines.push(`    first_frame: https://example.com/frames/${id}-a.png`, `    last_frame: https://example.com/frames/${id}-b.jpg`);
    if (takes > 1) lines.push(`    takes: ${takes}`);
    if (shot % 2 === 0) lines.push("    generate_audio: true");
    count += takes;
  }
  return { yaml: `${lines.join("\n")}\n`, jobs: count, shots: shot, policyShots, policyJobs, transientShots, modes };
}
