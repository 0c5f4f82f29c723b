import { DomainError } from './domain-error';

export class JobNotFinishedError extends DomainError {
  readonly code = 'JOB_NOT_FINISHED';
  readonly kind = 'conflict';

  constructor(
    readonly jobId: string,
    readonly state: string,
  ) {
    super(`job "${jobId}" has no result yet: it is ${state}`);
    this.name = 'JobNotFinishedError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { jobId: this.jobId, state: this.state };
  }
}
