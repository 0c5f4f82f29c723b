import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { DomainError } from '../errors/domain-error';
import { JobAttemptsExhaustedError } from '../errors/job-attempts-exhausted.error';
import { JobCancelledError } from '../errors/job-cancelled.error';
import { JobFailedError } from '../errors/job-failed.error';
import { JobNotFinishedError } from '../errors/job-not-finished.error';
import { JobNotFoundError } from '../errors/job-not-found.error';
import { JobTimeoutError } from '../errors/job-timeout.error';
import { QueueFullError } from '../errors/queue-full.error';
import type { Logger } from '../logging/logger';
import type { JobExecutor } from './job.executor';
import { isTransient, retryDelayMs } from './job-retry.policy';
import type { JobRunner, QueueDepth } from './job-runner';
import type { JobStore } from './job.store';
import { ExpiringMap } from './expiring.map';
import { failureOf } from './queue/job-failure.codec';
import type { JobAnswer, JobData, JobState, JobStatus } from './job.types';

export interface InlineRunnerSettings {
  readonly concurrency: number;
  /** Runs of a job before a transient failure is final (JOB_ATTEMPTS). */
  readonly attempts: number;
  /** First retry delay; doubles at each attempt (JOB_BACKOFF_MS). */
  readonly backoffMs: number;
  readonly resultTtlSeconds: number;
  /** Jobs waiting (for a free slot or for a retry) before submit refuses with QUEUE_FULL (QUEUE_MAX_DEPTH). */
  readonly maxDepth: number;
  /** Reported as the worker of every job this process runs (WORKER_NAME). */
  readonly workerName?: string;
}

interface InlineJob {
  readonly kind: JobData['kind'];
  readonly model: string;
  readonly createdAt: Date;
  state: JobState;
  progress: number;
  error?: unknown;
  finishedAt?: Date;
  worker?: string;
  done: Promise<void>;
}

/** As in queue mode: a full queue asks the caller to come back in this many seconds. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Runs jobs in this process (the embedded default, no Redis) through the
 * same executor as a queue worker, on a memory store with the same contract:
 * at most `concurrency` at a time, at most `maxDepth` waiting, transient
 * failures retried with the queue's backoff, answers and states kept for
 * JOB_RESULT_TTL_SECONDS.
 */
export class InlineJobRunner implements JobRunner {
  private readonly jobs = new ExpiringMap<InlineJob>();
  /** Jobs not finished yet, for depth(). */
  private readonly live = new Map<string, InlineJob>();
  private readonly pending = new Set<Promise<void>>();
  private running = 0;
  /** Jobs waiting for a slot, oldest first; each is let in with true, or dropped (cancelled) with false. */
  private readonly waiting = new Map<string, (admitted: boolean) => void>();

  constructor(
    private readonly executor: JobExecutor,
    private readonly store: JobStore,
    private readonly settings: InlineRunnerSettings,
    private readonly logger: Logger,
  ) {}

  async submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string> {
    this.refuseWhenFull();

    const id = randomUUID();
    await this.store.putRequest(id, images, options);

    const job: InlineJob = {
      kind,
      model,
      createdAt: new Date(),
      state: 'waiting',
      progress: 0,
      done: Promise.resolve(),
    };
    this.jobs.set(id, job, this.settings.resultTtlSeconds);
    this.live.set(id, job);
    job.done = this.execute(id, job);
    this.pending.add(job.done);
    void job.done.finally(() => this.pending.delete(job.done));
    return id;
  }

  async wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<JobAnswer> {
    const job = this.find(jobId);
    const stop = new AbortController();
    const aborted = signal ?? new AbortController().signal;
    const onAbort = (): void => stop.abort();
    aborted.addEventListener('abort', onAbort, { once: true });

    try {
      const outcome = aborted.aborted
        ? ('aborted' as const)
        : await Promise.race([
            job.done.then(() => 'done' as const),
            sleep(timeoutMs, 'timeout' as const, { signal: stop.signal }).catch(() =>
              aborted.aborted ? ('aborted' as const) : ('done' as const),
            ),
          ]);

      if (outcome === 'aborted') {
        throw new JobCancelledError(jobId);
      }
      if (outcome === 'timeout') {
        throw new JobTimeoutError(jobId, timeoutMs);
      }
      return await this.result(jobId);
    } finally {
      aborted.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }

  // async, so that an unknown id rejects rather than throws
  // eslint-disable-next-line @typescript-eslint/require-await
  async status(jobId: string): Promise<JobStatus> {
    const job = this.find(jobId);
    return {
      id: jobId,
      kind: job.kind,
      model: job.model,
      state: job.state,
      progress: job.progress,
      error: job.state === 'failed' ? failureOf(job.error) : undefined,
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString(),
      worker: job.worker,
    };
  }

  async result(jobId: string): Promise<JobAnswer> {
    const job = this.find(jobId);

    if (job.state === 'failed') {
      throw publicError(job.error);
    }
    const answer = job.state === 'completed' ? await this.store.answer(jobId) : undefined;
    if (answer === undefined) {
      throw new JobNotFinishedError(jobId, job.state);
    }
    return answer;
  }

  /** A job waiting for a slot is dropped at once with its images; a running one finishes and its answer is refused. */
  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.state === 'completed' || job.state === 'failed') {
      return;
    }
    await this.store.flagCancelled(jobId);

    const admit = this.waiting.get(jobId);
    if (admit !== undefined) {
      this.waiting.delete(jobId);
      await this.store.forgetRequest(jobId);
      admit(false);
    }
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  depth(): Promise<QueueDepth> {
    let waiting = 0;
    let active = 0;
    let delayed = 0;
    for (const job of this.live.values()) {
      if (job.state === 'waiting') {
        waiting += 1;
      } else if (job.state === 'active') {
        active += 1;
      } else if (job.state === 'delayed') {
        delayed += 1;
      }
    }
    return Promise.resolve({ waiting, active, delayed });
  }

  /** Lets the jobs already accepted finish (SIGTERM drain). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** The bound of queue mode (BullMQ's count(): waiting and delayed jobs), here exact. */
  private refuseWhenFull(): void {
    let depth = 0;
    for (const job of this.live.values()) {
      if (job.state === 'waiting' || job.state === 'delayed') {
        depth += 1;
      }
    }
    if (depth >= this.settings.maxDepth) {
      throw new QueueFullError(depth, this.settings.maxDepth, RETRY_AFTER_SECONDS);
    }
  }

  private find(jobId: string): InlineJob {
    const job = this.jobs.get(jobId);
    if (job === undefined) {
      throw new JobNotFoundError(jobId);
    }
    return job;
  }

  private async execute(id: string, job: InlineJob): Promise<void> {
    const admitted = await this.acquire(id);
    try {
      if (!admitted) {
        throw new JobCancelledError(id);
      }
      await this.attempts(id, job);
      job.state = 'completed';
      job.progress = 1;
    } catch (error) {
      job.state = 'failed';
      job.error = error;
    } finally {
      job.finishedAt = new Date();
      this.live.delete(id);
      // kept for JOB_RESULT_TTL_SECONDS from the end, however long the job ran
      this.jobs.set(id, job, this.settings.resultTtlSeconds);
      if (admitted) {
        this.release();
      }
      await this.store.forgetRequest(id);
    }
  }

  /** The queue's retry rule in-process: transient failures again after backoff, the rest at once. */
  private async attempts(id: string, job: InlineJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      job.state = 'active';
      job.worker = this.settings.workerName;
      try {
        await this.executor.run({
          jobId: id,
          kind: job.kind,
          model: job.model,
          attempt,
          fence: '',
          progress: (fraction) => {
            job.progress = fraction;
            return Promise.resolve();
          },
        });
        return;
      } catch (error) {
        if (!isTransient(error)) {
          throw error;
        }
        if (attempt >= this.settings.attempts) {
          const exhausted = new JobAttemptsExhaustedError(id, attempt, failureOf(error));
          this.logger.warn({ jobId: id, kind: job.kind, attempts: attempt }, exhausted.message);
          throw exhausted;
        }
      }
      job.state = 'delayed';
      await sleep(retryDelayMs(this.settings.backoffMs, attempt));
    }
  }

  /** Resolves true when the job may run, false when it was cancelled while it waited. */
  private acquire(id: string): Promise<boolean> {
    if (this.running < this.settings.concurrency) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  /** Hands the slot to the oldest waiting job, or frees it. */
  private release(): void {
    const next = this.waiting.entries().next();
    if (next.done === true) {
      this.running -= 1;
      return;
    }
    const [id, admit] = next.value;
    this.waiting.delete(id);
    admit(true);
  }
}

/** What the caller sees of a failed job: its domain error as it was, anything else as INTERNAL. */
function publicError(error: unknown): Error {
  if (error instanceof DomainError) {
    return error;
  }
  const failure = failureOf(error);
  return new JobFailedError(failure.code, 'internal', failure.message);
}
