import type { JobAnswer, JobData, JobStatus } from './job.types';

/** Jobs not finished yet, by state: what cnn_lens_queue_jobs reports and QUEUE_MAX_DEPTH bounds. */
export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
}

/**
 * Where jobs go: in-process (no REDIS_URL) or through the BullMQ queue. The
 * API layer only ever talks to this interface, so both transports share one path.
 */
export interface JobRunner {
  /**
   * Stores the images, enqueues the job and returns its id; refuses with
   * QUEUE_FULL when QUEUE_MAX_DEPTH jobs are waiting already.
   */
  submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string>;

  /**
   * Waits for the job's answer; rejects with the job's own error,
   * JobTimeoutError after timeoutMs, or JobCancelledError as soon as
   * `signal` aborts (its caller went away).
   */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<JobAnswer>;

  status(jobId: string): Promise<JobStatus>;

  result(jobId: string): Promise<JobAnswer>;

  /**
   * Withdraws a job that is no longer wanted (its caller went away): a job
   * not started yet is removed, a running one finishes but its answer is
   * refused, a finished one is left as it is.
   */
  cancel(jobId: string): Promise<void>;

  /** True when the backing store is reachable. */
  healthy(): Promise<boolean>;

  /** Jobs by state, for /metrics. */
  depth(): Promise<QueueDepth>;

  close(): Promise<void>;
}

export const JOB_RUNNER = Symbol('JOB_RUNNER');
