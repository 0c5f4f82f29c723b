import { DomainError } from './domain-error';

/** The request's headers are over Node's limit (http.maxHeaderSize); the connection is closed. */
export class RequestHeadersTooLargeError extends DomainError {
  readonly code = 'REQUEST_HEADERS_TOO_LARGE';
  readonly kind = 'headers-too-large';

  constructor(readonly limitBytes: number) {
    super(
      `the request's headers take more than ${limitBytes} bytes, the most the server reads; send fewer or shorter headers (parameters go in the query string or the form)`,
    );
    this.name = 'RequestHeadersTooLargeError';
  }
}
