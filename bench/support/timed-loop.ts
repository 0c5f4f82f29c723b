import { summarize, type SampleSummary } from './sample.stats';

export interface LoopBudget {
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Past this much measured time, stop once minRuns are done. */
  readonly budgetMs: number;
}

/**
 * Runs `work` `warmup` times unmeasured, then measures each call until
 * maxRuns, or until both minRuns and the time budget are reached: slow cases
 * get fewer runs, fast ones many, and the whole bench stays bounded.
 */
export async function timedLoop(work: () => Promise<unknown>, budget: LoopBudget): Promise<SampleSummary> {
  for (let i = 0; i < budget.warmup; i++) {
    await work();
  }

  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < budget.maxRuns) {
    const t0 = performance.now();
    await work();
    samples.push(performance.now() - t0);

    if (samples.length >= budget.minRuns && performance.now() - started > budget.budgetMs) {
      break;
    }
  }
  return summarize(samples);
}
