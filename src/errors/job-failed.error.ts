import { DomainError, type ErrorKind } from './domain-error';

/** A job's recorded failure, rebuilt where the job's own error object is not at hand (another process). */
export class JobFailedError extends DomainError {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'JobFailedError';
  }
}
