import { randomUUID } from 'node:crypto';

import { DomainError } from '../errors/domain-error';
import { JobFailedError } from '../errors/job-failed.error';
import { JobNotFinishedError } from '../errors/job-not-finished.error';
import { JobNotFoundError } from '../errors/job-not-found.error';
import { JobTimeoutError } from '../errors/job-timeout.error';
import type { Logger } from '../logging/logger';
import type { JobHandlerRegistry } from './job-handler.registry';
import type { JobRunner } from './job-runner';
import type { JobAnswer, JobData, JobFailure, JobState, JobStatus } from './job.types';

interface InlineJob {
  readonly data: JobData;
  readonly images: ReadonlyMap<string, Buffer>;
  state: JobState;
  progress: number;
  answer?: JobAnswer;
  error?: Error;
  readonly createdAt: Date;
  finishedAt?: Date;
  done: Promise<void>;
}

function failureOf(error: Error): JobFailure {
  return error instanceof DomainError
    ? { code: error.code, message: error.message, kind: error.kind }
    : { code: 'INTERNAL', message: 'the job failed unexpectedly', kind: 'internal' };
}

/**
 * Runs jobs in this process (the embedded default, no Redis): the same
 * handlers as the queue's workers, at most `concurrency` at a time, results
 * kept for the configured time.
 */
export class InlineJobRunner implements JobRunner {
  private readonly jobs = new Map<string, InlineJob>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly handlers: JobHandlerRegistry,
    private readonly logger: Logger,
    private readonly options: { readonly concurrency: number; readonly resultTtlMs: number },
  ) {}

  submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string> {
    const id = randomUUID();
    const stored = new Map(images.map((bytes, index) => [`${id}:image:${index}`, bytes] as const));
    const data: JobData = { kind, model, imageKeys: [...stored.keys()], options };
    const job: InlineJob = {
      data,
      images: stored,
      state: 'waiting',
      progress: 0,
      createdAt: new Date(),
      done: Promise.resolve(),
    };

    this.jobs.set(id, job);
    job.done = this.execute(id, job);
    return Promise.resolve(id);
  }

  async wait(jobId: string, timeoutMs: number): Promise<JobAnswer> {
    const job = this.find(jobId);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });

    const outcome = await Promise.race([job.done.then(() => 'done' as const), timeout]);
    clearTimeout(timer);

    if (outcome === 'timeout') {
      throw new JobTimeoutError(jobId, timeoutMs);
    }
    return this.result(jobId);
  }

  status(jobId: string): Promise<JobStatus> {
    const job = this.find(jobId);
    return Promise.resolve({
      id: jobId,
      kind: job.data.kind,
      model: job.data.model,
      state: job.state,
      progress: job.progress,
      error: job.error === undefined ? undefined : failureOf(job.error),
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString(),
    });
  }

  result(jobId: string): Promise<JobAnswer> {
    const job = this.find(jobId);

    if (job.state === 'failed') {
      const error = job.error ?? new Error('job failed');
      if (error instanceof DomainError) {
        return Promise.reject(error);
      }
      const failure = failureOf(error);
      return Promise.reject(new JobFailedError(failure.code, 'internal', failure.message));
    }
    if (job.answer === undefined) {
      return Promise.reject(new JobNotFinishedError(jobId, job.state));
    }
    return Promise.resolve(job.answer);
  }

  cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (job?.state === 'waiting') {
      this.jobs.delete(jobId);
    }
    return Promise.resolve();
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.jobs.values()].map((job) => job.done));
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
    const current = (): InlineJob | undefined => this.jobs.get(id);
    const started = performance.now();

    try {
      if (current() === undefined) {
        return;
      }
      this.update(id, { state: 'active' });
      const handler = this.handlers.get(job.data.kind);
      if (handler === undefined) {
        throw new Error(`no handler for job kind ${job.data.kind}`);
      }
      const answer = await handler.run(job.data, {
        jobId: id,
        image: (key) => this.image(job, key),
        progress: (fraction) => {
          this.update(id, { progress: fraction });
          return Promise.resolve();
        },
      });
      this.update(id, { state: 'completed', progress: 1, answer, finishedAt: new Date() });
      this.logger.info(
        {
          jobId: id,
          kind: job.data.kind,
          model: job.data.model,
          method: job.data.options.method,
          ms: Math.round(performance.now() - started),
        },
        'job completed',
      );
    } catch (error) {
      const failure = failureOf(error as Error);
      this.update(id, { state: 'failed', error: error as Error, finishedAt: new Date() });
      const log =
        failure.kind === 'internal'
          ? this.logger.error.bind(this.logger)
          : this.logger.info.bind(this.logger);
      log(
        {
          jobId: id,
          kind: job.data.kind,
          model: job.data.model,
          code: failure.code,
          error: (error as Error).message,
        },
        'job failed',
      );
    } finally {
      this.release();
      setTimeout(() => this.jobs.delete(id), this.options.resultTtlMs).unref();
    }
  }

  private update(
    id: string,
    changes: Partial<Pick<InlineJob, 'state' | 'progress' | 'answer' | 'error' | 'finishedAt'>>,
  ): void {
    const job = this.jobs.get(id);
    if (job !== undefined) {
      Object.assign(job, changes);
    }
  }

  private image(job: InlineJob, key: string): Promise<Buffer> {
    const bytes = job.images.get(key);
    return bytes === undefined
      ? Promise.reject(new Error(`image ${key} missing`))
      : Promise.resolve(bytes);
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
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
