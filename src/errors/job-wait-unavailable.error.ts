import { DomainError } from './domain-error';

/** Redis went away while a request waited for a job it had already accepted; the job is kept. */
export class JobWaitUnavailableError extends DomainError {
  readonly code = 'REDIS_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(
    readonly jobId: string,
    readonly reason: string,
  ) {
    super(
      `the job queue became unavailable while waiting for job "${jobId}" (${reason}); the job is kept: fetch GET /v1/jobs/${jobId}/result once Redis is back instead of sending the request again`,
    );
    this.name = 'JobWaitUnavailableError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { jobId: this.jobId, retryAfterSeconds: 1 };
  }
}
