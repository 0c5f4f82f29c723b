import { DomainError } from './domain-error';

/** A gRPC client cancelled its call or let its deadline pass before the job finished. */
export class CallEndedError extends DomainError {
  readonly code = 'CALL_ENDED';
  readonly kind = 'timeout';

  constructor(readonly jobId: string) {
    super(
      `the call was cancelled or its deadline passed before job "${jobId}" finished; the job was withdrawn`,
    );
    this.name = 'CallEndedError';
  }
}
