import { DomainError } from './domain-error';

/** Redis (the job queue and its payload store) did not answer; the caller may retry shortly. */
export class RedisUnavailableError extends DomainError {
  readonly code = 'REDIS_UNAVAILABLE';
  readonly kind = 'unavailable';

  constructor(
    readonly operation: string,
    readonly reason: string,
  ) {
    super(
      `the job queue is unavailable: Redis did not answer "${operation}" (${reason}); retry shortly`,
    );
    this.name = 'RedisUnavailableError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { operation: this.operation, retryAfterSeconds: 1 };
  }
}
