import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { DomainError } from '../errors/domain-error';
import { JobFailedError } from '../errors/job-failed.error';
import { JobNotFinishedError } from '../errors/job-not-finished.error';
import { JobNotFoundError } from '../errors/job-not-found.error';
import { JobTimeoutError } from '../errors/job-timeout.error';
import type { JobExecutor } from './job.executor';
import { isTransient, retryDelayMs } from './job-retry.policy';
import type { JobRunner } from './job-runner';
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
}

interface InlineJob {
  readonly kind: JobData['kind'];
  readonly model: string;
  readonly createdAt: Date;
  state: JobState;
  progress: number;
  error?: unknown;
  finishedAt?: Date;
  done: Promise<void>;
}

/**
 * Runs jobs in this process (the embedded default, no Redis) through the
 * same executor as a queue worker, on a memory store with the same contract:
 * at most `concurrency` at a time, transient failures retried with the
 * queue's backoff, answers and states kept for JOB_RESULT_TTL_SECONDS.
 */
export class InlineJobRunner implements JobRunner {
  private readonly jobs = new ExpiringMap<InlineJob>();
  private readonly pending = new Set<Promise<void>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly executor: JobExecutor,
    private readonly store: JobStore,
    private readonly settings: InlineRunnerSettings,
  ) {}

  async submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string> {
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
    job.done = this.execute(id, job);
    this.pending.add(job.done);
    void job.done.finally(() => this.pending.delete(job.done));
    return id;
  }

  async wait(jobId: string, timeoutMs: number): Promise<JobAnswer> {
    const job = this.find(jobId);
    const timer = new AbortController();
    const outcome = await Promise.race([
      job.done.then(() => 'done' as const),
      sleep(timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(() => 'done' as const),
    ]);
    timer.abort();

    if (outcome === 'timeout') {
      throw new JobTimeoutError(jobId, timeoutMs);
    }
    return this.result(jobId);
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

  /** A job not started yet is dropped with its images; a running one finishes and its answer is refused. */
  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (job === undefined || job.state === 'completed' || job.state === 'failed') {
      return;
    }
    await this.store.flagCancelled(jobId);
    if (job.state === 'waiting') {
      await this.store.forgetRequest(jobId);
    }
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Lets the jobs already accepted finish (SIGTERM drain). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private find(jobId: string): InlineJob {
    const job = this.jobs.get(jobId);
    if (job === undefined) {
      throw new JobNotFoundError(jobId);
    }
    return job;
  }

  private async execute(id: string, job: InlineJob): Promise<void> {
    await this.acquire();
    try {
      await this.attempts(id, job);
      job.state = 'completed';
      job.progress = 1;
    } catch (error) {
      job.state = 'failed';
      job.error = error;
    } finally {
      job.finishedAt = new Date();
      // kept for JOB_RESULT_TTL_SECONDS from the end, however long the job ran
      this.jobs.set(id, job, this.settings.resultTtlSeconds);
      this.release();
      await this.store.forgetRequest(id);
    }
  }

  /** The queue's retry rule in-process: transient failures again after backoff, the rest at once. */
  private async attempts(id: string, job: InlineJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      job.state = 'active';
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
        if (attempt >= this.settings.attempts || !isTransient(error)) {
          throw error;
        }
      }
      job.state = 'delayed';
      await sleep(retryDelayMs(this.settings.backoffMs, attempt));
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.settings.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiting.push(() => {
        this.running += 1;
        resolve();
      });
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.();
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
