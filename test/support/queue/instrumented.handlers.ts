import type { Redis } from 'ioredis';

import type { JobContext, JobHandler } from '../../../src/jobs/job-handler';
import type { JobHandlerRegistry } from '../../../src/jobs/job-handler.registry';
import type { JobAnswer, JobData, JobKind } from '../../../src/jobs/job.types';

export interface InstrumentOptions {
  /** Where the counts go; the caller owns (and closes) the client. */
  readonly redis: Redis;
  /** Hash keys: field = job id, value = how many runs started / finished. */
  readonly startedKey: string;
  readonly finishedKey: string;
  /** Added before each run: a timer, standing for a slow job whose model runs are each short (as they are bounded). */
  readonly delayMs: number;
}

/**
 * Wraps every handler so a test can see, from outside the worker process,
 * how often each job was started and finished, and can make jobs slow enough
 * to kill a worker in the middle of one.
 */
export function instrumentHandlers(
  handlers: JobHandlerRegistry,
  options: InstrumentOptions,
): JobHandlerRegistry {
  return new Map<JobKind, JobHandler>(
    [...handlers].map(([kind, handler]) => [
      kind,
      new InstrumentedHandler(handler, options.redis, options),
    ]),
  );
}

class InstrumentedHandler implements JobHandler {
  constructor(
    private readonly inner: JobHandler,
    private readonly redis: Redis,
    private readonly options: InstrumentOptions,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    await this.redis.hincrby(this.options.startedKey, context.jobId, 1);
    await new Promise((resolve) => setTimeout(resolve, this.options.delayMs));

    const answer = await this.inner.run(data, context);
    await this.redis.hincrby(this.options.finishedKey, context.jobId, 1);
    return answer;
  }
}

export function instrumentKeys(prefix: string): { startedKey: string; finishedKey: string } {
  return { startedKey: `${prefix}:test:started`, finishedKey: `${prefix}:test:finished` };
}

/** Adds a delay (read at each run, so a test can change it) before every run. */
export function delayHandlers(
  handlers: JobHandlerRegistry,
  delayMs: () => number,
): JobHandlerRegistry {
  return new Map<JobKind, JobHandler>(
    [...handlers].map(([kind, inner]) => [
      kind,
      {
        run: async (data: JobData, context: JobContext): Promise<JobAnswer> => {
          await new Promise((resolve) => setTimeout(resolve, delayMs()));
          return inner.run(data, context);
        },
      },
    ]),
  );
}
