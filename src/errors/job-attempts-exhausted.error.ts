import { DomainError } from './domain-error';

/** The code and message of the failure of a job's last attempt. */
export interface LastFailure {
  readonly code: string;
  readonly message: string;
}

/**
 * A job failed with a retryable error (Redis away, memory short) at every
 * one of its JOB_ATTEMPTS attempts. The job itself is over: fetching its
 * result again cannot succeed, so it answers 500 with this code rather than
 * the last error's "retry shortly"; a new request may succeed.
 */
export class JobAttemptsExhaustedError extends DomainError {
  readonly code = 'JOB_ATTEMPTS_EXHAUSTED';
  readonly kind = 'internal';

  constructor(
    readonly jobId: string,
    readonly attempts: number,
    readonly lastFailure: LastFailure,
  ) {
    const tries = attempts === 1 ? 'its only attempt' : `each of its ${attempts} attempts`;
    super(
      `job "${jobId}" failed at ${tries} (JOB_ATTEMPTS); the last one with ${lastFailure.code}: ${lastFailure.message}; the job will not run again: send the request again`,
    );
    this.name = 'JobAttemptsExhaustedError';
  }

  /** The job is over; another attempt is exactly what it has run out of. */
  override get retryable(): boolean {
    return false;
  }

  override details(): Readonly<Record<string, unknown>> {
    // code and message only: the last error's retryAfterSeconds no longer applies to this job
    const { code, message } = this.lastFailure;
    return { jobId: this.jobId, attempts: this.attempts, lastError: { code, message } };
  }
}
