import type { JobContext, JobHandler } from '../../src/jobs/job-handler';
import type { JobData } from '../../src/jobs/job.types';
import { peakRssMiB, resetPeakRss } from '../support/peak-rss';
import type { SampleSummary } from '../support/sample.stats';
import { interleavedLoop, type LoopBudget } from '../support/timed-loop';
import type { Measured } from './engine.bench';

export type JobOutcome =
  | ({
      readonly status: 'ok';
      readonly firstMs: number;
      /** A plain inference run measured in turns with the job, when asked for. */
      readonly baseline?: SampleSummary;
    } & Measured)
  | { readonly status: 'failed'; readonly reason: string }
  | { readonly status: 'skipped'; readonly reason: string };

/**
 * The whole job as a worker runs it (decode, preprocess, run, map, encode),
 * by calling its handler directly: no HTTP, no queue. The first call, which
 * builds and caches the augmented session, is timed apart from the rest.
 * With a baseline (a plain inference run), the two are measured in turns.
 */
export async function benchJob(
  handler: JobHandler,
  job: Omit<JobData, 'imageKeys'>,
  image: Buffer,
  budget: LoopBudget,
  baseline?: () => Promise<unknown>,
): Promise<JobOutcome> {
  const data: JobData = { ...job, imageKeys: ['bench:image:0'] };
  const context: JobContext = {
    jobId: 'bench',
    image: () => Promise.resolve(image),
    progress: () => Promise.resolve(),
    signal: new AbortController().signal,
    maxAnswerBytes: Number.MAX_SAFE_INTEGER,
  };

  resetPeakRss();
  try {
    const t0 = performance.now();
    await handler.run(data, context);
    const firstMs = performance.now() - t0;
    const run = () => handler.run(data, context);
    if (baseline === undefined) {
      const { job: summary } = await interleavedLoop({ job: run }, budget);
      return { status: 'ok', firstMs, ...summary, peakRssMiB: peakRssMiB() };
    }
    const both = await interleavedLoop(
      { job: run, baseline },
      { ...budget, budgetMs: budget.budgetMs * 2 },
    );
    return {
      status: 'ok',
      firstMs,
      ...both.job,
      baseline: both.baseline,
      peakRssMiB: peakRssMiB(),
    };
  } catch (error) {
    const e = error as Error & { code?: string };
    return { status: 'failed', reason: `${e.code ?? e.name}: ${e.message}` };
  }
}
