import { randomUUID } from 'node:crypto';

import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { JobCancelledError } from '../../errors/job-cancelled.error';
import { JobNotFinishedError } from '../../errors/job-not-finished.error';
import { JobNotFoundError } from '../../errors/job-not-found.error';
import { JobTimeoutError } from '../../errors/job-timeout.error';
import { JobWaitUnavailableError } from '../../errors/job-wait-unavailable.error';
import { QueueFullError } from '../../errors/queue-full.error';
import type { Logger } from '../../logging/logger';
import type { JobRunner, QueueDepth } from '../job-runner';
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

/** States of a job that no worker has taken: removing it withdraws it. */
const QUEUED_STATES: ReadonlySet<string> = new Set([
  'waiting',
  'prioritized',
  'delayed',
  'waiting-children',
]);

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

  /**
   * Waits for the end state. Redis unreachable for REDIS_COMMAND_TIMEOUT_MS
   * answers 503 with the job id at once rather than at the deadline; the
   * job is kept, and its answer can be fetched once Redis is back.
   */
  async wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<JobAnswer> {
    let state = 'unknown';
    let lastError: Error | undefined;
    const limits = { timeoutMs, signal, unreachableAfterMs: this.settings.commandTimeoutMs };
    const outcome = await this.watcher.wait(jobId, limits, async () => {
      try {
        state = await this.call('read job state', () => this.queue.getJobState(jobId));
        lastError = undefined;
      } catch (error) {
        lastError = error as Error;
        throw error;
      }
      return state === 'completed' || state === 'failed' || state === 'unknown';
    });

    switch (outcome) {
      case 'aborted':
        throw new JobCancelledError(jobId);
      case 'unreachable':
      case 'timeout':
        throw lastError === undefined
          ? new JobTimeoutError(jobId, timeoutMs)
          : new JobWaitUnavailableError(jobId, lastError.message);
      case 'finished':
        // a completed job's answer was stored before BullMQ marked it completed: read it at once
        return state === 'completed' ? this.storedAnswer(jobId) : this.result(jobId);
    }
  }

  async status(jobId: string): Promise<JobStatus> {
    const job = await this.job(jobId);
    const state = await this.call('read job state', () => job.getState());

    return {
      id: jobId,
      kind: job.data.kind,
      model: job.data.model,
      state: publicState(state),
      progress: progressOf(state, job.progress),
      error: state === 'failed' ? decodeFailure(job.failedReason) : undefined,
      createdAt: new Date(job.timestamp).toISOString(),
      finishedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
      // BullMQ records the name of the worker that took the job last (its processedBy)
      worker: job.processedBy ?? receiptWorker(job.returnvalue),
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

  /**
   * A job not started yet is removed with its images; a running one is
   * flagged, and its answer is refused; a finished one is left alone, so
   * GET /v1/jobs/{id} still finds it. The flag comes first: from then on the
   * job cannot complete with a new answer, so the state read after it cannot
   * miss a job that completes in between, and only a job still queued is
   * removed (BullMQ's remove would delete a finished job as readily).
   */
  async cancel(jobId: string): Promise<void> {
    const job = await this.call('read job', () => this.queue.getJob(jobId));
    if (job === undefined) {
      return;
    }

    await this.store.flagCancelled(jobId);
    const state = await this.call('read job state', () => job.getState());
    if (state === 'completed' || state === 'failed') {
      return;
    }
    if (QUEUED_STATES.has(state)) {
      const removed = await this.call('remove job', () => this.queue.remove(jobId));
      if (removed === 1) {
        await this.store.forgetRequest(jobId);
        this.logger.info({ jobId }, 'queued job removed: its caller went away');
        return;
      }
    }
    this.logger.info({ jobId }, 'running job flagged cancelled: its caller went away');
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.call('ping', () => this.redis.ping())) === 'PONG';
    } catch {
      return false;
    }
  }

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

/** The worker named in a completed job's receipt, for jobs of workers that recorded no processedBy. */
function receiptWorker(receipt: unknown): string | undefined {
  const worker = (receipt as Partial<JobReceipt> | null | undefined)?.worker;
  return typeof worker === 'string' ? worker : undefined;
}

/** A completed job is done, whatever its handler last reported; before that, what it reported. */
function progressOf(state: string, reported: unknown): number {
  if (state === 'completed') {
    return 1;
  }
  return typeof reported === 'number' ? reported : 0;
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
