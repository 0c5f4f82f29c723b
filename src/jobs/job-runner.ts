import type { JobAnswer, JobData, JobStatus } from './job.types';

/**
 * Where jobs go: in-process (no REDIS_URL) or through the BullMQ queue. The
 * API layer only ever talks to this interface, so both transports share one path.
 */
export interface JobRunner {
  /** Stores the images, enqueues the job and returns its id. */
  submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string>;

  /** Waits for the job's answer; rejects with the job's own error, or JobTimeoutError after timeoutMs. */
  wait(jobId: string, timeoutMs: number): Promise<JobAnswer>;

  status(jobId: string): Promise<JobStatus>;

  result(jobId: string): Promise<JobAnswer>;

  /** Removes a job that is no longer wanted (cancelled call); running jobs finish but are discarded. */
  cancel(jobId: string): Promise<void>;

  /** True when the backing store is reachable. */
  healthy(): Promise<boolean>;

  close(): Promise<void>;
}

export const JOB_RUNNER = Symbol('JOB_RUNNER');
