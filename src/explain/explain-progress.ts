import { AUGMENTED_RUNS } from './cam-family.runner';
import type { ExplainMethod, ResolvedExplainParameters } from './explain-parameters.schema';
import type { RunControl } from './run-control';

/**
 * The model runs one map takes: Score-CAM and Ablation-CAM one run, then the
 * layer's K channels in batches; SmoothGrad a clean run and its samples;
 * integrated gradients one per step; guided Grad-CAM two; aug_smooth six times
 * the method's. An estimate for progress only: a model that cannot take a
 * batch falls back to one channel per run.
 */
export function runsPerMap(options: ResolvedExplainParameters, layerChannels: number): number {
  const runs = runsOfMethod(options, layerChannels);
  return options.aug_smooth ? runs * AUGMENTED_RUNS : runs;
}

type RunCount = (options: ResolvedExplainParameters, layerChannels: number) => number;

/** The methods of more than one run per map; every other takes one. */
const MANY_RUNS: Partial<Record<ExplainMethod, RunCount>> = {
  scorecam: (options, channels) => 1 + Math.ceil(channels / options.batch_size),
  ablationcam: (options, channels) => 1 + Math.ceil(channels / options.batch_size),
  smoothgrad: (options) => 1 + options.samples,
  'integrated-gradients': (options) => options.steps,
  'guided-gradcam': () => 2,
};

function runsOfMethod(options: ResolvedExplainParameters, layerChannels: number): number {
  return MANY_RUNS[options.method]?.(options, layerChannels) ?? 1;
}

/**
 * Cancellation and progress of one explanation: before every model run the
 * job's signal is checked (its reason, a JobCancelledError, is thrown), after
 * every run the share of the work done is reported, counted in maps and, in
 * the current map, in its runs; only increasing values are reported.
 */
export class ExplainProgress implements RunControl {
  private mapsDone = 0;
  private runsInMap = 0;
  private reported = 0;

  constructor(
    private readonly totalMaps: number,
    private readonly runsPerMap: number,
    private readonly signal: AbortSignal | undefined,
    private readonly report: ((fraction: number) => void) | undefined,
  ) {}

  /** Throws the signal's reason once the job is cancelled. */
  checkCancelled(): void {
    this.signal?.throwIfAborted();
  }

  beforeRun(): void {
    this.checkCancelled();
  }

  afterRun(runs = 1): void {
    this.runsInMap += runs;
    this.send();
  }

  /** A map is done, computed or reused (a class asked for twice). */
  mapDone(): void {
    this.mapsDone += 1;
    this.runsInMap = 0;
    this.send();
  }

  private send(): void {
    const inMap = Math.min(this.runsInMap / Math.max(this.runsPerMap, 1), 1);
    const fraction = Math.min((this.mapsDone + inMap) / Math.max(this.totalMaps, 1), 1);
    if (fraction > this.reported) {
      this.reported = fraction;
      this.report?.(fraction);
    }
  }
}
