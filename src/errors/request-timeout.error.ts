import { DomainError } from './domain-error';

/** A client took longer than HTTP_REQUEST_BODY_TIMEOUT_MS to send its request (a stalled upload); the connection is closed. */
export class RequestTimeoutError extends DomainError {
  readonly code = 'REQUEST_TIMEOUT';
  readonly kind = 'request-timeout';

  constructor(readonly timeoutMs: number) {
    super(
      `the request was not received in full within ${timeoutMs} ms (HTTP_REQUEST_BODY_TIMEOUT_MS); send the headers and the whole body without pausing, or raise HTTP_REQUEST_BODY_TIMEOUT_MS for slow links`,
    );
    this.name = 'RequestTimeoutError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { timeoutMs: this.timeoutMs, setting: 'HTTP_REQUEST_BODY_TIMEOUT_MS' };
  }
}
