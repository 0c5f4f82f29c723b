import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { DomainError } from '../../errors/domain-error';
import { JobCancelledError } from '../../errors/job-cancelled.error';
import { JobInputExpiredError } from '../../errors/job-input-expired.error';
import { UnknownJobKindError } from '../../errors/unknown-job-kind.error';
import type { Logger } from '../../logging/logger';
import type { JobContext } from '../job-handler';
import type { JobHandlerRegistry } from '../job-handler.registry';
import type { BlobStore } from './blob.store';
import { encodeAnswer } from './job-answer.codec';
import { encodeFailure, failureOf } from './job-failure.codec';
import type { CnnLensJob, JobReceipt } from './queue-job.runner';
import { QUEUE_NAME, type QueueKeys } from './queue.keys';
import { redisCall } from './redis-call';

export interface QueueWorkerSettings {
  readonly prefix: string;
  readonly name: string;
  readonly concurrency: number;
  /** A dead worker's job is taken back after at most lockDuration + stalledInterval. */
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly resultTtlSeconds: number;
  readonly commandTimeoutMs: number;
}

/**
 * The worker side of queue mode: takes jobs from BullMQ, runs the same
 * handlers as the in-process runner and stores the answer under the job's
 * result key. Caller mistakes fail at once; transient errors go back to
 * BullMQ for a retry with backoff.
 */
export class QueueJobWorker {
  private worker: Worker<JobData, JobReceipt> | undefined;

  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly connection: Redis,
    private readonly redis: Redis,
    private readonly blobs: BlobStore,
    private readonly keys: QueueKeys,
    private readonly settings: QueueWorkerSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const worker = new Worker<JobData, JobReceipt>(
      QUEUE_NAME,
      (job) => this.process(job as CnnLensJob),
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

    worker.on('completed', (job) => void this.forgetInputs(job as CnnLensJob));
    worker.on('error', (error) => this.logger.warn({ error: error.message }, 'queue worker error'));
    worker.on('stalled', (jobId) =>
      this.logger.warn({ jobId }, 'job stalled: its worker stopped answering; requeued'),
    );
    this.worker = worker;
  }

  /** Stops taking jobs and waits for the running ones to finish (SIGTERM drain). */
  async close(): Promise<void> {
    await this.worker?.close();
    this.connection.disconnect();
    this.redis.disconnect();
  }

  private async process(job: CnnLensJob): Promise<JobReceipt> {
    const jobId = job.id ?? '';
    const fields = {
      jobId,
      kind: job.data.kind,
      model: job.data.model,
      method: job.data.options.method,
      attempt: job.attemptsMade + 1,
    };
    const started = performance.now();

    try {
      await this.refuseCancelled(jobId);
      const handler = this.handlers.get(job.data.kind);
      if (handler === undefined) {
        throw new UnknownJobKindError(job.data.kind);
      }

      const answer = await handler.run(job.data, this.context(job));
      await this.refuseCancelled(jobId);
      await this.storeAnswer(jobId, answer);

      this.logger.info({ ...fields, ms: Math.round(performance.now() - started) }, 'job completed');
      return { worker: this.settings.name };
    } catch (error) {
      throw this.reportable(error, fields);
    }
  }

  private context(job: CnnLensJob): JobContext {
    return {
      jobId: job.id ?? '',
      image: async (key) => {
        const bytes = await this.blobs.get(key);
        if (bytes === undefined) {
          throw new JobInputExpiredError(job.id ?? '', key);
        }
        return bytes;
      },
      progress: (fraction) => job.updateProgress(fraction),
    };
  }

  private async storeAnswer(
    jobId: string,
    answer: Parameters<typeof encodeAnswer>[0],
  ): Promise<void> {
    const stored = encodeAnswer(answer);
    await this.blobs.put(
      [
        { key: this.keys.resultMeta(jobId), bytes: stored.meta },
        { key: this.keys.resultData(jobId), bytes: stored.data },
      ],
      this.settings.resultTtlSeconds,
    );
  }

  private async refuseCancelled(jobId: string): Promise<void> {
    const flagged = await redisCall('read cancel flag', this.settings.commandTimeoutMs, () =>
      this.redis.exists(this.keys.cancelled(jobId)),
    );
    if (flagged === 1) {
      throw new JobCancelledError(jobId);
    }
  }

  /** The thrown error's message becomes BullMQ's failedReason: our JSON failure, read back by the API. */
  private reportable(error: unknown, fields: Record<string, unknown>): Error {
    const failure = failureOf(error);
    const retryable = !(error instanceof DomainError) || error.retryable;
    const log =
      failure.kind === 'internal'
        ? this.logger.error.bind(this.logger)
        : this.logger.info.bind(this.logger);

    log(
      { ...fields, code: failure.code, retryable, error: (error as Error).message },
      'job failed',
    );
    return retryable
      ? new Error(encodeFailure(failure))
      : new UnrecoverableError(encodeFailure(failure));
  }

  private async forgetInputs(job: CnnLensJob): Promise<void> {
    try {
      await this.blobs.delete(job.data.imageKeys);
    } catch (error) {
      this.logger.debug(
        { jobId: job.id, error: (error as Error).message },
        'inputs left to expire',
      );
    }
  }
}

type JobData = CnnLensJob['data'];
