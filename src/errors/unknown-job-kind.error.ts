import { DomainError } from './domain-error';

/** A worker got a job kind it has no handler for: typically a worker older than the API that enqueued it. */
export class UnknownJobKindError extends DomainError {
  readonly code = 'UNKNOWN_JOB_KIND';
  readonly kind = 'internal';

  constructor(readonly jobKind: string) {
    super(`no handler for job kind "${jobKind}" in this worker; is the worker older than the API?`);
    this.name = 'UnknownJobKindError';
  }

  /** Another attempt in the same worker would fail the same way. */
  override get retryable(): boolean {
    return false;
  }
}
