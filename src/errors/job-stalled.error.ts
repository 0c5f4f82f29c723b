import { DomainError } from './domain-error';

/** BullMQ took the job back from a dead or stuck worker more often than JOB_MAX_STALLED_COUNT allows. */
export class JobStalledError extends DomainError {
  readonly code = 'JOB_STALLED';
  readonly kind = 'internal';

  constructor(readonly reason: string) {
    super(
      `the job's worker stopped renewing its lock more often than JOB_MAX_STALLED_COUNT allows (${reason}); the job is not run again`,
    );
    this.name = 'JobStalledError';
  }

  /** The job already outlived every worker that took it; one more would likely die the same way. */
  override get retryable(): boolean {
    return false;
  }
}
