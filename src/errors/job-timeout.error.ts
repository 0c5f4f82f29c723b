import { DomainError } from './domain-error';

/** The caller's wait ran out; the job itself goes on and its result can be fetched later. */
export class JobTimeoutError extends DomainError {
  readonly code = 'JOB_TIMEOUT';
  readonly kind = 'timeout';

  constructor(
    readonly jobId: string,
    readonly waitedMs: number,
  ) {
    super(
      `job "${jobId}" did not finish within ${waitedMs} ms; poll GET /v1/jobs/${jobId} and fetch GET /v1/jobs/${jobId}/result`,
    );
    this.name = 'JobTimeoutError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { jobId: this.jobId };
  }
}
