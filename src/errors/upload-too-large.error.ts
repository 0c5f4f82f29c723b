import { DomainError } from './domain-error';

/** The request body (all its files together) is over MAX_UPLOAD_BYTES. */
export class UploadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(readonly limitBytes: number) {
    super(
      `the request body is larger than the limit of ${limitBytes} bytes (MAX_UPLOAD_BYTES); send fewer or smaller images`,
    );
    this.name = 'UploadTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { limitBytes: this.limitBytes };
  }
}
