import { DomainError } from './domain-error';

/** The caller gave up (cancelled call, expired deadline) before the job finished; its result was discarded. */
export class JobCancelledError extends DomainError {
  readonly code = 'JOB_CANCELLED';
  readonly kind = 'conflict';

  constructor(readonly jobId: string) {
    super(`job "${jobId}" was cancelled by its caller before it finished; it has no result`);
    this.name = 'JobCancelledError';
  }
}
