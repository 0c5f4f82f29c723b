import type { JobAnswer, JobData } from './job.types';

export interface JobContext {
  readonly jobId: string;
  /** Reads an uploaded image stored by the API. */
  image(key: string): Promise<Buffer>;
  progress(fraction: number): Promise<void>;
  /**
   * Aborted when the job's caller cancels it while it runs; handlers with many
   * model runs check it between runs so that a cancelled job frees its worker.
   */
  readonly signal: AbortSignal;
  /**
   * The largest answer this job may give, in bytes: MAX_RESPONSE_BYTES, or
   * less when the request asked for less (option `max_answer_bytes`, e.g. a
   * gRPC call bounded by its message size). Handlers that can tell an
   * answer's size before computing it refuse early with RESPONSE_TOO_LARGE.
   */
  readonly maxAnswerBytes: number;
}

/** The job option by which a request lowers its answer limit below MAX_RESPONSE_BYTES. */
export const MAX_ANSWER_BYTES_OPTION = 'max_answer_bytes';

/** Runs one kind of job; identical whether the job came in-process or from the queue. */
export interface JobHandler {
  run(data: JobData, context: JobContext): Promise<JobAnswer>;
}
