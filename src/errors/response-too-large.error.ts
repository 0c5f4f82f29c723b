import { DomainError } from './domain-error';

/** An answer would exceed the transport's message limit; a smaller image, resolution=layer or PNG output fits. */
export class ResponseTooLargeError extends DomainError {
  readonly code = 'RESPONSE_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly bytes: number,
    readonly limit: number,
    readonly setting: string,
  ) {
    super(
      `the answer needs ${bytes} bytes but messages are limited to ${limit} bytes (${setting}); ask for fewer images, resolution=layer or PNG output`,
    );
    this.name = 'ResponseTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { bytes: this.bytes, limit: this.limit };
  }
}
