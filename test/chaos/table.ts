import type { Audit } from "./audit.js";
import type { ChaosManifest } from "./manifest.js";

/** The figures of a chaos run as a Markdown table: what was measured, what came out, what is promised. */
export function formatTable(a: Audit, m: ChaosManifest, finalCode: number | null): string {
  const why = (w: string): number => a.duplicates.filter((d) => d.why === w).length;
  const list = (items: readonly string[]): string => (items.length === 0 ? "0" : `**${items.length}**`);
  const rows: [string, string, string][] = [
    ["runs (killed with SIGKILL)", `${a.runs} (${a.kills})`, "killed at random moments, then rerun to the end"],
    ["last run's exit code", String(finalCode), "0, or 1 when some job cannot succeed ([policy])"],
    ["jobs (text / image / first-last)", `${a.jobs} (${m.modes.text} / ${m.modes.image} / ${m.modes["first-last"]})`, ""],
    ["[policy] jobs, [transient] shots", `${m.policyJobs}, ${m.transientShots.size}`, ""],
    ["create requests (ledger)", String(a.createRequests), "429, 5xx and resets create nothing"],
    ["tasks created (ledger)", String(a.tasksMade), "one per job, one more per retry-later failure"],
    ["retry-later failures rendered again", String(a.retries), ""],
    ["duplicate tasks", String(a.duplicates.length), "only from the ambiguous window"],
    [
      "... that passed the ambiguous window",
      `${a.duplicates.length - why("unexplained")} (${why("reset after create")} reset after create, ${why("unreadable answer")} unreadable answer, ${why("killed mid-create")} killed mid-create)`,
      "all of them",
    ],
    ["jobs that went through `unknown`", String(a.unknownJobs), ""],
    ["unreadable 2xx answers to creates (ledger)", String(a.unreadableAnswers), "the task exists: never sent again in its run"],
    ["... sent again in the same run", list(a.unreadableResent), "0"],
    ["tasks adopted by reconciliation", String(a.reconciled), "only a task no other lost create could own"],
    ["tasks followed by a job whose create did not make them", list(a.misadopted), "0"],
    [
      "creates paused for disk (too little room / the state file refused a write)",
      `${a.pausedForRoom} / ${a.pausedForCommit}`,
      "tasks in flight still collected",
    ],
    [
      "answers committed late (by their run / by the next, from the recovery note)",
      `${a.committedLate} / ${a.committedFromNote}`,
      "every task id held in memory reaches its row",
    ],
    ["credits charged / credits of the clips saved", `${a.credits.charged} / ${a.credits.saved}`, "equal but for duplicates that completed"],
    ["tasks created twice knowingly", list(a.runnerDuplicates), "0"],
    ["lost outputs", list(a.lost), "0"],
    ["corrupt files", list(a.corrupt), "0"],
    ["max tasks in flight known to the runner", `${a.maxInFlightKnown} (--concurrency ${a.concurrency})`, "<= --concurrency"],
    ["max tasks in flight at the API, orphans included", String(a.maxInFlightAll), "reported: orphans of the ambiguous window are unknowable"],
    ["PRAGMA integrity_check after every run", a.integrity.length === 0 ? "ok" : `**${a.integrity.length} failures**`, "ok"],
    ["job histories that disagree with their rows", list(a.historyMismatches), "0"],
    ["[policy] jobs resubmitted", list(a.policyResubmits), "0"],
    ["clips moved to history / stray files", `${list(a.historyClips)} / ${list(a.strayFiles)}`, "0 / 0 (no shot was edited)"],
    ["result bytes sent / bytes of clips saved", a.transferRatio.toFixed(3), "near 1: truncated downloads resume with Range"],
    [".part files left", String(a.partFiles), "allowed (resumed with Range, never under a final name)"],
  ];
  const faults = Object.entries(a.faults)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  return [
    "| measure | result | promise |",
    "|---|---|---|",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    `Faults injected (route:kind count): ${faults}`,
    ...(a.duplicates.length === 0 ? [] : ["", "Duplicate tasks:", ...a.duplicates.map((d) => `- ${d.job}: ${d.taskId} (${d.why})`)]),
    ...problems("Lost outputs", a.lost),
    ...problems("Corrupt files", a.corrupt),
    ...problems("Tasks created twice knowingly", a.runnerDuplicates),
    ...problems("Unreadable answers resent in their run", a.unreadableResent),
    ...problems("Tasks followed by the wrong job", a.misadopted),
    ...problems("Tasks in flight at the peak", a.peak),
    ...problems("Integrity", a.integrity),
    ...problems("History mismatches", a.historyMismatches),
    ...problems("Policy resubmits", a.policyResubmits),
    ...problems("History clips", a.historyClips),
    ...problems("Stray files", a.strayFiles),
  ].join("\n");
}

function problems(title: string, items: readonly string[]): string[] {
  return items.length === 0
    ? []
    : ["", `${title}:`, ...items.slice(0, 40).map((i) => `- ${i}`), ...(items.length > 40 ? [`- ... and ${items.length - 40} more`] : [])];
}
