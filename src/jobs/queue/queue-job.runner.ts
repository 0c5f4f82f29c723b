import { randomUUID } from 'node:crypto';

import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { JobNotFinishedError } from '../../errors/job-not-finished.error';
import { JobNotFoundError } from '../../errors/job-not-found.error';
import { JobTimeoutError } from '../../errors/job-timeout.error';
import { QueueFullError } from '../../errors/queue-full.error';
import type { Logger } from '../../logging/logger';
import type { JobRunner } from '../job-runner';
import type { JobAnswer, JobData, JobState, JobStatus } from '../job.types';
import type { BlobStore } from './blob.store';
import { decodeAnswer } from './job-answer.codec';
import type { JobCompletionWatcher } from './job-completion.watcher';
import { decodeFailure, failureError } from './job-failure.codec';
import { redisCall } from './redis-call';
import type { QueueKeys } from './queue.keys';

/** What a worker returns to BullMQ: the answer itself is in the blob store. */
export interface JobReceipt {
  readonly worker: string;
}

export type CnnLensJob = Job<JobData, JobReceipt, JobData['kind']>;
export type CnnLensQueue = Queue<JobData, JobReceipt, JobData['kind']>;

export interface QueueRunnerSettings {
  readonly maxDepth: number;
  readonly attempts: number;
  readonly backoffMs: number;
  readonly inputTtlSeconds: number;
  readonly resultTtlSeconds: number;
  readonly commandTimeoutMs: number;
}

export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
}

const RETRY_AFTER_SECONDS = 2;

/**
 * The API side of queue mode: stores the images, enqueues a job that holds
 * only their keys, and reads state and answers back from Redis. Any process
 * with the same Redis and prefix sees the same jobs.
 */
export class QueueJobRunner implements JobRunner {
  constructor(
    private readonly queue: CnnLensQueue,
    private readonly redis: Redis,
    private readonly blobs: BlobStore,
    private readonly keys: QueueKeys,
    private readonly watcher: JobCompletionWatcher,
    private readonly settings: QueueRunnerSettings,
    private readonly logger: Logger,
  ) {}

  async submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string> {
    await this.refuseWhenFull();

    const id = randomUUID();
    const entries = images.map((bytes, index) => ({ key: this.keys.image(id, index), bytes }));
    await this.blobs.put(entries, this.settings.inputTtlSeconds);

    const data: JobData = { kind, model, imageKeys: entries.map((entry) => entry.key), options };
    await this.call('enqueue job', () =>
      this.queue.add(kind, data, {
        jobId: id,
        attempts: this.settings.attempts,
        backoff: { type: 'exponential', delay: this.settings.backoffMs },
        removeOnComplete: { age: this.settings.resultTtlSeconds },
        removeOnFail: { age: this.settings.resultTtlSeconds },
      }),
    );
    this.logger.debug({ jobId: id, kind, model, method: options.method }, 'job enqueued');
    return id;
  }

  async wait(jobId: string, timeoutMs: number): Promise<JobAnswer> {
    let state = 'unknown';
    const finished = await this.watcher.wait(jobId, timeoutMs, async () => {
      state = await this.queue.getJobState(jobId);
      return state === 'completed' || state === 'failed' || state === 'unknown';
    });

    if (!finished) {
      throw new JobTimeoutError(jobId, timeoutMs);
    }
    // a completed job's answer was stored before BullMQ marked it completed: read it at once
    return state === 'completed' ? this.storedAnswer(jobId) : this.result(jobId);
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = await this.job(jobId);
    const state = await this.call('read job state', () => job.getState());

    return {
      id: jobId,
      kind: job.data.kind,
      model: job.data.model,
      state: publicState(state),
      progress: typeof job.progress === 'number' ? job.progress : 0,
      error: state === 'failed' ? decodeFailure(job.failedReason) : undefined,
      createdAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
    };
  }

  async result(jobId: string): Promise<JobAnswer> {
    const job = await this.job(jobId);
    const state = await this.call('read job state', () => job.getState());

    if (state === 'failed') {
      throw failureError(decodeFailure(job.failedReason));
    }
    if (state !== 'completed') {
      throw new JobNotFinishedError(jobId, publicState(state));
    }

    return this.storedAnswer(jobId);
  }

  private async storedAnswer(jobId: string): Promise<JobAnswer> {
    const [meta, data] = await Promise.all([
      this.blobs.get(this.keys.resultMeta(jobId)),
      this.blobs.get(this.keys.resultData(jobId)),
    ]);
    if (meta === undefined || data === undefined) {
      throw new JobNotFoundError(jobId);
    }
    return decodeAnswer({ meta, data });
  }

  /** A waiting job is removed with its images; a running one is flagged, and its worker discards the answer. */
  async cancel(jobId: string): Promise<void> {
    const job = await this.call('read job', () => this.queue.getJob(jobId));
    if (job === undefined) {
      return;
    }

    const removed = await this.call('remove job', () => this.queue.remove(jobId));
    if (removed === 1) {
      await this.blobs.delete(job.data.imageKeys);
      this.logger.info({ jobId }, 'queued job removed: its caller went away');
      return;
    }

    await this.call('flag job cancelled', () =>
      this.redis.set(this.keys.cancelled(jobId), '1', 'EX', this.settings.resultTtlSeconds),
    );
    this.logger.info({ jobId }, 'running job flagged cancelled: its caller went away');
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.call('ping', () => this.redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

  /** Jobs by state, for /metrics. */
  async depth(): Promise<QueueDepth> {
    const counts = await this.call('count jobs', () =>
      this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
    };
  }

  async close(): Promise<void> {
    await this.watcher.close();
    await this.queue.close();
    this.redis.disconnect();
  }

  /** Soft bound: two API processes may both pass the check at the last free place. */
  private async refuseWhenFull(): Promise<void> {
    const depth = await this.call('count waiting jobs', () => this.queue.count());
    if (depth >= this.settings.maxDepth) {
      throw new QueueFullError(depth, this.settings.maxDepth, RETRY_AFTER_SECONDS);
    }
  }

  private async job(jobId: string): Promise<CnnLensJob> {
    const job = await this.call('read job', () => this.queue.getJob(jobId));
    if (job === undefined) {
      throw new JobNotFoundError(jobId);
    }
    return job;
  }

  private call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    return redisCall(operation, this.settings.commandTimeoutMs, run);
  }
}

function publicState(state: string): JobState {
  switch (state) {
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
      return 'waiting';
    case 'active':
    case 'completed':
    case 'failed':
    case 'delayed':
      return state;
    default:
      return 'unknown';
  }
}
