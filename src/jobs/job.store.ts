import type { JobAnswer, JobOptions } from './job.types';

/** What a request leaves for its job in the store: the keys of its images and its options. */
export interface StoredRequest {
  readonly imageKeys: readonly string[];
  readonly options: JobOptions;
}

/**
 * How a commit ended. Only 'written' stores anything: an answer is written at
 * most once, never for a cancelled job, and never by a run whose lock passed
 * to another worker.
 */
export type CommitOutcome = 'written' | 'already-written' | 'cancelled' | 'lock-lost';

/**
 * A job's payloads between the API and whoever runs the job: its request
 * (images and options, JOB_INPUT_TTL_SECONDS) and its answer
 * (JOB_RESULT_TTL_SECONDS). Redis in queue mode, memory in-process; the
 * runners and the executor see only this.
 */
export interface JobStore {
  putRequest(jobId: string, images: readonly Buffer[], options: JobOptions): Promise<void>;

  /** The request, or undefined when it expired or was withdrawn. */
  request(jobId: string): Promise<StoredRequest | undefined>;

  /** An image's bytes, or undefined when it expired. */
  image(key: string): Promise<Buffer | undefined>;

  /** Deletes the request and its images (the job finished or was withdrawn). */
  forgetRequest(jobId: string): Promise<void>;

  /**
   * Stores the answer unless one is already stored, the job is cancelled or
   * `fence` (the run's lock token; '' when there is no lock) no longer holds
   * the job's lock, all in one atomic step.
   */
  commitAnswer(jobId: string, answer: JobAnswer, fence: string): Promise<CommitOutcome>;

  hasAnswer(jobId: string): Promise<boolean>;

  /** The stored answer, or undefined when there is none (not written, or expired). */
  answer(jobId: string): Promise<JobAnswer | undefined>;

  /** Marks a running job's answer as unwanted: its commit will be refused. */
  flagCancelled(jobId: string): Promise<void>;

  isCancelled(jobId: string): Promise<boolean>;

  /** Releases the store's connection. */
  close(): void;
}
