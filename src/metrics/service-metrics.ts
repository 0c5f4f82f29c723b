import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { FailureCounter } from '../jobs/job.executor';
import type { JobRunner } from '../jobs/job-runner';

/** The runner of either mode: BullMQ's counts in queue mode, the in-process runner's own otherwise. */
export type QueueDepthSource = Pick<JobRunner, 'depth'>;

/** Job durations run from tens of milliseconds (predict) to minutes (scorecam on a large image). */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export const METRICS = Symbol('METRICS');

/**
 * The Prometheus metrics of one process, in a registry of its own so that
 * tests and several services in one process do not share counters.
 */
export class ServiceMetrics implements FailureCounter {
  readonly registry = new Registry();

  readonly jobDuration = new Histogram({
    name: 'cnn_lens_job_duration_seconds',
    help: 'Time a handler took to run a job, by kind, method and outcome',
    labelNames: ['kind', 'method', 'outcome'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly jobFailures = new Counter({
    name: 'cnn_lens_job_failures_total',
    help: 'Job attempts that failed, by kind and stable error code',
    labelNames: ['kind', 'code'] as const,
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'cnn_lens_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly grpcRequests = new Counter({
    name: 'cnn_lens_grpc_requests_total',
    help: 'gRPC calls answered, by method and status code name',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });

  constructor(queue?: QueueDepthSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'cnn_lens_' });
    if (queue !== undefined) {
      this.observeQueue(queue);
    }
  }

  /** A failed run of a job, whatever failed (handler, expired input, lost lock); see JobExecutor. */
  count(kind: string, code: string): void {
    this.jobFailures.inc({ kind, code });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * cnn_lens_queue_jobs, read from `queue` at each scrape; a Redis outage
   * leaves the last values and does not fail the scrape. Called once, by
   * the constructor or, when the runner is built after the metrics (the
   * in-process mode, whose handlers are measured), by its builder.
   */
  observeQueue(queue: QueueDepthSource): void {
    new Gauge({
      name: 'cnn_lens_queue_jobs',
      help: 'Jobs in the queue by state (waiting, active, delayed)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        try {
          const depth = await queue.depth();
          this.set({ state: 'waiting' }, depth.waiting);
          this.set({ state: 'active' }, depth.active);
          this.set({ state: 'delayed' }, depth.delayed);
        } catch {
          // Redis is away: /readyz reports it; the scrape keeps the last values
        }
      },
    });
  }
}
