import { DomainError } from './domain-error';

/** The job's uploaded image left Redis (JOB_INPUT_TTL_SECONDS) before a worker reached the job. */
export class JobInputExpiredError extends DomainError {
  readonly code = 'JOB_INPUT_EXPIRED';
  readonly kind = 'conflict';

  constructor(
    readonly jobId: string,
    readonly key: string,
  ) {
    super(
      `job "${jobId}" lost its uploaded image "${key}" before a worker ran it (JOB_INPUT_TTL_SECONDS); submit the request again`,
    );
    this.name = 'JobInputExpiredError';
  }
}
