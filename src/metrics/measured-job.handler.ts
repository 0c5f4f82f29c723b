import type { JobContext, JobHandler } from '../jobs/job-handler';
import type { JobHandlerRegistry } from '../jobs/job-handler.registry';
import type { JobAnswer, JobData, JobKind } from '../jobs/job.types';
import type { ServiceMetrics } from './service-metrics';

/** Times every run of a handler, the same in both job modes; failures are counted by the JobExecutor. */
export class MeasuredJobHandler implements JobHandler {
  constructor(
    private readonly inner: JobHandler,
    private readonly metrics: ServiceMetrics,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const method = typeof data.options.method === 'string' ? data.options.method : 'none';
    const stop = this.metrics.jobDuration.startTimer({ kind: data.kind, method });

    try {
      const answer = await this.inner.run(data, context);
      stop({ outcome: 'completed' });
      return answer;
    } catch (error) {
      stop({ outcome: 'failed' });
      throw error;
    }
  }
}

export function measureHandlers(
  handlers: JobHandlerRegistry,
  metrics: ServiceMetrics,
): JobHandlerRegistry {
  return new Map<JobKind, JobHandler>(
    [...handlers].map(([kind, handler]) => [kind, new MeasuredJobHandler(handler, metrics)]),
  );
}
