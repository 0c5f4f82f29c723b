import { InlineJobRunner, type InlineRunnerSettings } from '../../src/jobs/inline-job.runner';
import { JobExecutor } from '../../src/jobs/job.executor';
import type { JobHandler } from '../../src/jobs/job-handler';
import type { JobKind } from '../../src/jobs/job.types';
import { MemoryJobStore } from '../../src/jobs/memory-job.store';
import { silentLogger } from './silent-logger';

export interface InlineJobsSettings extends InlineRunnerSettings {
  /** The executor's answer size limit (MAX_RESPONSE_BYTES). */
  readonly maxResponseBytes: number;
}

const DEFAULTS: InlineJobsSettings = {
  concurrency: 1,
  attempts: 3,
  backoffMs: 5,
  resultTtlSeconds: 60,
  maxDepth: 100,
  maxResponseBytes: 1024 * 1024,
};

/**
 * The embedded job path with `handler` for predict jobs: an InlineJobRunner
 * and its executor over a memory store, failures uncounted, nothing logged.
 */
export function inlineJobs(
  handler: JobHandler,
  settings: Partial<InlineJobsSettings> = {},
): { store: MemoryJobStore; jobs: InlineJobRunner } {
  const { maxResponseBytes, ...runnerSettings } = { ...DEFAULTS, ...settings };
  const store = new MemoryJobStore({ inputTtlSeconds: 60, resultTtlSeconds: 60 });
  const executor = new JobExecutor(
    new Map<JobKind, JobHandler>([['predict', handler]]),
    store,
    { count: () => undefined },
    silentLogger,
    { maxResponseBytes },
  );

  return { store, jobs: new InlineJobRunner(executor, store, runnerSettings, silentLogger) };
}
