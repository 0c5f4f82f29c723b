import { randomUUID } from 'node:crypto';

import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { JobNotFinishedError } from '../../errors/job-not-finished.error';
import { JobNotFoundError } from '../../errors/job-not-found.error';
import { JobTimeoutError } from '../../errors/job-timeout.error';
import { JobWaitUnavailableError } from '../../errors/job-wait-unavailable.error';
import { QueueFullError } from '../../errors/queue-full.error';
import type { Logger } from '../../logging/logger';
import type { JobRunner } from '../job-runner';
import type { JobStore } from '../job.store';
import type { JobAnswer, JobData, JobState, JobStatus, QueuedJobData } from '../job.types';
import type { JobCompletionWatcher } from './job-completion.watcher';
import { decodeFailure, failureError } from './job-failure.codec';
import { redisCall } from './redis-call';

/** What a worker returns to BullMQ: the answer itself is in the job store. */
export interface JobReceipt {
  readonly worker: string;
}

export type CnnLensJob = Job<QueuedJobData, JobReceipt, JobData['kind']>;
export type CnnLensQueue = Queue<QueuedJobData, JobReceipt, JobData['kind']>;

export interface QueueRunnerSettings {
  readonly maxDepth: number;
  readonly attempts: number;
  readonly backoffMs: number;
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
 * The API side of queue mode: stores the request (images and options) in the
 * job store, enqueues a job that holds only its kind and model, and reads
 * state and answers back from Redis. Any process with the same Redis and
 * prefix sees the same jobs.
 */
export class QueueJobRunner implements JobRunner {
  constructor(
    private readonly queue: CnnLensQueue,
    private readonly redis: Redis,
    private readonly store: JobStore,
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
    await this.store.putRequest(id, images, options);

    const data: QueuedJobData = { kind, model };
    try {
      await this.call('enqueue job', () =>
        this.queue.add(kind, data, {
          jobId: id,
          attempts: this.settings.attempts,
          backoff: { type: 'exponential', delay: this.settings.backoffMs },
          removeOnComplete: { age: this.settings.resultTtlSeconds },
          removeOnFail: { age: this.settings.resultTtlSeconds },
        }),
      );
    } catch (error) {
      // the request is refused: its stored images would only wait for their TTL
      await this.store.forgetRequest(id).catch(() => undefined);
      throw error;
    }
    this.logger.debug({ jobId: id, kind, model, method: options.method }, 'job enqueued');
    return id;
  }

  /** Waits for the end state; Redis away until the deadline answers 503 with the job id, not 504. */
  async wait(jobId: string, timeoutMs: number): Promise<JobAnswer> {
    let state = 'unknown';
    let lastError: Error | undefined;
    const finished = await this.watcher.wait(jobId, timeoutMs, async () => {
      try {
        state = await this.queue.getJobState(jobId);
        lastError = undefined;
      } catch (error) {
        lastError = error as Error;
        throw error;
      }
      return state === 'completed' || state === 'failed' || state === 'unknown';
    });

    if (!finished) {
      throw lastError === undefined
        ? new JobTimeoutError(jobId, timeoutMs)
        : new JobWaitUnavailableError(jobId, lastError.message);
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
    const answer = await this.store.answer(jobId);
    if (answer === undefined) {
      throw new JobNotFoundError(jobId);
    }
    return answer;
  }

  /** A waiting job is removed with its images; a running one is flagged, and its answer is refused. */
  async cancel(jobId: string): Promise<void> {
    const job = await this.call('read job', () => this.queue.getJob(jobId));
    if (job === undefined) {
      return;
    }

    const removed = await this.call('remove job', () => this.queue.remove(jobId));
    if (removed === 1) {
      await this.store.forgetRequest(jobId);
      this.logger.info({ jobId }, 'queued job removed: its caller went away');
      return;
    }

    await this.store.flagCancelled(jobId);
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
    this.store.close();
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
