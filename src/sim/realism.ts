import { seededRandom, type FaultPlan } from "./faults.js";
import type { SimOptions } from "./options.js";

type RealismOptions = Pick<SimOptions, "seed" | "latencyMs" | "latencyJitterMs" | "genTimeSigma" | "estimateError" | "progressExponent">;

/**
 * What makes the simulator answer like a real API rather than an ideal one:
 * answer latency, a long-tailed generation time, an estimate that is a guess,
 * progress that is not linear. Each draw comes from its own seeded stream, and
 * a knob left at its default draws nothing, so turning one on neither shifts
 * the fault draws of a run nor changes a run that uses none of them.
 */
export class Realism {
  private readonly latencyRandom: () => number;
  private readonly durationRandom: () => number;
  private readonly estimateRandom: () => number;

  constructor(private readonly options: RealismOptions) {
    this.latencyRandom = seededRandom(options.seed ^ 0x1a7e);
    this.durationRandom = seededRandom(options.seed ^ 0xd0a7);
    this.estimateRandom = seededRandom(options.seed ^ 0xe571);
  }

  /** How long this API request waits before it is handled; 0 without latency. */
  latencyMs(): number {
    const { latencyMs, latencyJitterMs } = this.options;
    return latencyMs + (latencyJitterMs > 0 ? Math.floor(this.latencyRandom() * latencyJitterMs) : 0);
  }

  /** A new task's generation time: log-normal around the plan's genTimeMs with genTimeSigma, else the plan's uniform draw. */
  durationMs(plan: FaultPlan): number {
    const sigma = this.options.genTimeSigma;
    if (sigma <= 0) return plan.drawDurationMs();
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    const z = Math.sqrt(-2 * Math.log(1 - this.durationRandom())) * Math.cos(2 * Math.PI * this.durationRandom());
    return Math.max(1, Math.round(plan.knobs.genTimeMs * Math.exp(sigma * z)));
  }

  /** The factor a new task's estimate is off by, drawn once for the task; 1 when estimates are exact. */
  estimateFactor(): number {
    const range = this.options.estimateError;
    return range === null ? 1 : range.min + this.estimateRandom() * (range.max - range.min);
  }

  /** Progress (0-99) of a task `fraction` (0-1) of the way through its processing. */
  progress(fraction: number): number {
    const clamped = Math.min(1, Math.max(0, fraction));
    return Math.min(99, Math.floor(clamped ** this.options.progressExponent * 100));
  }
}
