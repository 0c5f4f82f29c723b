import { DomainError } from './domain-error';

/** The queue holds QUEUE_MAX_DEPTH jobs already; the request is refused rather than left to wait. */
export class QueueFullError extends DomainError {
  readonly code = 'QUEUE_FULL';
  readonly kind = 'too-many-requests';

  constructor(
    readonly depth: number,
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `the job queue is full: ${depth} jobs waiting, at most ${limit} (QUEUE_MAX_DEPTH); retry after ${retryAfterSeconds} s`,
    );
    this.name = 'QueueFullError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { depth: this.depth, limit: this.limit, retryAfterSeconds: this.retryAfterSeconds };
  }
}
