import { DomainError } from './domain-error';

/** A run finished after its job's lock had passed to another worker; that worker's run is the one that counts. */
export class JobLockLostError extends DomainError {
  readonly code = 'JOB_LOCK_LOST';
  readonly kind = 'internal';

  constructor(readonly jobId: string) {
    super(
      `job "${jobId}" lost its lock before this run finished (not renewed within JOB_LOCK_DURATION_MS); this run's answer was dropped and the run that holds the lock goes on`,
    );
    this.name = 'JobLockLostError';
  }

  /** Another run holds the job: retrying this one would add a second concurrent run. */
  override get retryable(): boolean {
    return false;
  }
}
