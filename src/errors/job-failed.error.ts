import { DomainError, type ErrorKind } from './domain-error';

/** A job's recorded failure, rebuilt where the job's own error object is not at hand (another process). */
export class JobFailedError extends DomainError {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    private readonly recordedDetails?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'JobFailedError';
  }

  /** The original error's details (valid layers, limits), so both job modes answer alike. */
  override details(): Readonly<Record<string, unknown>> | undefined {
    return this.recordedDetails;
  }
}
