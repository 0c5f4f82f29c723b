import { summarize, type SampleSummary } from './sample.stats';

export interface LoopBudget {
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Past this much measured time, stop once minRuns are done. */
  readonly budgetMs: number;
}

/** Measures one piece of work; see interleavedLoop. */
export async function timedLoop(
  work: () => Promise<unknown>,
  budget: LoopBudget,
): Promise<SampleSummary> {
  const { only } = await interleavedLoop({ only: work }, budget);
  return only;
}

/**
 * Runs each piece of work `warmup` times unmeasured, then measures them in
 * turn (a, b, c, a, b, c, ...) until maxRounds, or until both minRuns and the
 * time budget are reached. Taking turns means that a change in the machine's
 * load (it is shared) falls on every piece alike, so their ratios hold
 * better than the absolute times.
 */
export async function interleavedLoop<K extends string>(
  works: Readonly<Record<K, () => Promise<unknown>>>,
  budget: LoopBudget,
): Promise<Record<K, SampleSummary>> {
  const keys = Object.keys(works) as K[];
  for (let i = 0; i < budget.warmup; i++) {
    for (const key of keys) {
      await works[key]();
    }
  }

  const samples = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  const started = performance.now();
  for (let round = 0; round < budget.maxRuns; round++) {
    for (const key of keys) {
      const t0 = performance.now();
      await works[key]();
      samples[key].push(performance.now() - t0);
    }
    if (round + 1 >= budget.minRuns && performance.now() - started > budget.budgetMs) {
      break;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, summarize(samples[k])])) as Record<
    K,
    SampleSummary
  >;
}
