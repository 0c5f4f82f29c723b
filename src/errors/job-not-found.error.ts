import { DomainError } from './domain-error';

export class JobNotFoundError extends DomainError {
  readonly code = 'JOB_NOT_FOUND';
  readonly kind = 'not-found';

  constructor(readonly jobId: string) {
    super(`job "${jobId}" does not exist or its result has expired`);
    this.name = 'JobNotFoundError';
  }
}
