/**
 * Preloaded into every measured child (`node --import probe.js ...`): when the
 * process exits, writes its own CPU time, peak RSS and lifetime to the file
 * named by SHOTLIST_BENCH_PROBE. The child measures itself, so nothing else on
 * the machine (the simulator, curl, the bench) is counted against it.
 */
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";

export interface ProbeReport {
  /** process.cpuUsage() at exit, microseconds. */
  userUs: number;
  systemUs: number;
  /** Peak resident set size, bytes (getrusage ru_maxrss). */
  maxRssBytes: number;
  /** From process start to exit, ms. */
  lifetimeMs: number;
  exitCode: number;
  /** Event-loop delay, 99th percentile over the process's life, ms (10 ms sampling). */
  loopDelayP99Ms: number;
}

const out = process.env.SHOTLIST_BENCH_PROBE;
if (out !== undefined && out !== "") {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  process.on("exit", (code) => {
    const cpu = process.cpuUsage();
    const report: ProbeReport = {
      userUs: cpu.user,
      systemUs: cpu.system,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      lifetimeMs: performance.now(),
      exitCode: code,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
    };
    writeFileSync(out, JSON.stringify(report));
  });
}
