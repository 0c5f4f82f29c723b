import { DomainError } from './domain-error';

/**
 * Bytes the HTTP server cannot read as a request (a garbage request line, a
 * Content-Length that is not a number, a body cut short by the client),
 * refused before any route sees them; the connection is closed.
 */
export class BadHttpRequestError extends DomainError {
  readonly code = 'BAD_REQUEST';
  readonly kind = 'invalid-argument';

  /** `problem`: what was wrong, as the caller can fix it. */
  constructor(readonly problem: string) {
    super(`the request could not be read as HTTP/1.1: ${problem}`);
    this.name = 'BadHttpRequestError';
  }
}
