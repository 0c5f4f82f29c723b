import type { JobAnswer, JobData } from './job.types';

export interface JobContext {
  readonly jobId: string;
  /** Reads an uploaded image stored by the API. */
  image(key: string): Promise<Buffer>;
  progress(fraction: number): Promise<void>;
}

/** Runs one kind of job; identical whether the job came in-process or from the queue. */
export interface JobHandler {
  run(data: JobData, context: JobContext): Promise<JobAnswer>;
}
