import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { JobAttemptsExhaustedError } from '../../errors/job-attempts-exhausted.error';
import type { Logger } from '../../logging/logger';
import type { JobExecutor } from '../job.executor';
import { isTransient } from '../job-retry.policy';
import type { JobStore } from '../job.store';
import type { QueuedJobData } from '../job.types';
import { closeUnlessRedisAway } from './close-unless-redis-away';
import { encodeFailure, failureOf } from './job-failure.codec';
import type { CnnLensJob, JobReceipt } from './queue-job.runner';
import { QUEUE_NAME } from './queue.keys';

export interface QueueWorkerSettings {
  readonly prefix: string;
  readonly name: string;
  readonly concurrency: number;
  /** A dead worker's job is taken back after at most lockDuration + stalledInterval. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

/**
 * The worker side of queue mode: takes jobs from BullMQ and hands each run
 * to the executor, the same one the in-process runner uses, with the run's
 * lock token as the fence of its answer. Transient failures go back to
 * BullMQ for a retry with backoff, and the last one fails the job as
 * JOB_ATTEMPTS_EXHAUSTED; everything else fails at once.
 */
export class QueueJobWorker {
  private worker: Worker<QueuedJobData, JobReceipt> | undefined;
  private active = 0;

  constructor(
    private readonly executor: JobExecutor,
    private readonly store: JobStore,
    private readonly connection: Redis,
    private readonly settings: QueueWorkerSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const worker = new Worker<QueuedJobData, JobReceipt>(
      QUEUE_NAME,
      (job, token) => this.process(job as CnnLensJob, token ?? ''),
      {
        connection: this.connection,
        prefix: this.settings.prefix,
        name: this.settings.name,
        concurrency: this.settings.concurrency,
        lockDuration: this.settings.lockDurationMs,
        stalledInterval: this.settings.stalledIntervalMs,
        maxStalledCount: this.settings.maxStalledCount,
      },
    );

    worker.on('completed', (job) => void this.forgetRequest(job.id));
    worker.on('failed', (job) => {
      // finishedOn is set only when no retry follows
      if (job?.finishedOn !== undefined) {
        void this.forgetRequest(job.id);
      }
    });
    worker.on('error', (error) => this.onWorkerError(error));
    worker.on('stalled', (jobId) =>
      this.logger.warn({ jobId }, 'job stalled: its worker stopped answering; requeued'),
    );
    this.worker = worker;
  }

  /** An outage is logged once by the connection itself; BullMQ repeats it at every attempt. */
  private onWorkerError(error: Error): void {
    const level = this.connection.status === 'ready' ? 'warn' : 'debug';
    this.logger[level]({ error: error.message }, 'queue worker error');
  }

  /** Jobs this worker runs now, for the drain's log lines. */
  running(): number {
    return this.active;
  }

  /**
   * Stops taking jobs at once and waits for the running ones to finish
   * (SIGTERM drain); the connections close after the last one. With Redis
   * away and no job running, it does not wait for BullMQ's own close, which
   * would last until Redis returns.
   */
  async close(): Promise<void> {
    if (this.worker !== undefined) {
      const outcome = await closeUnlessRedisAway(this.worker.close(), this.connection, {
        idle: () => this.active === 0,
      });
      if (outcome === 'abandoned') {
        this.logger.warn({}, 'queue worker closed without Redis: it was unreachable');
      }
    }
    this.connection.disconnect();
    this.store.close();
  }

  private async process(job: CnnLensJob, token: string): Promise<JobReceipt> {
    const jobId = job.id ?? '';
    const attempt = job.attemptsMade + 1;
    this.active += 1;
    try {
      await this.executor.run({
        jobId,
        kind: job.data.kind,
        model: job.data.model,
        attempt,
        fence: token,
        progress: (fraction) => job.updateProgress(fraction),
      });
      return { worker: this.settings.name };
    } catch (error) {
      // the thrown message becomes BullMQ's failedReason: our JSON failure, read back by the API
      if (!isTransient(error)) {
        throw new UnrecoverableError(encodeFailure(failureOf(error)));
      }
      const attempts = job.opts.attempts ?? 1;
      if (attempt < attempts) {
        throw new Error(encodeFailure(failureOf(error)));
      }
      const exhausted = new JobAttemptsExhaustedError(jobId, attempt, failureOf(error));
      this.logger.warn({ jobId, kind: job.data.kind, attempts: attempt }, exhausted.message);
      throw new UnrecoverableError(encodeFailure(failureOf(exhausted)));
    } finally {
      this.active -= 1;
    }
  }

  private async forgetRequest(jobId: string | undefined): Promise<void> {
    if (jobId === undefined) {
      return;
    }
    try {
      await this.store.forgetRequest(jobId);
    } catch (error) {
      this.logger.debug({ jobId, error: (error as Error).message }, 'request left to expire');
    }
  }
}
