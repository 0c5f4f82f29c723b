import { DomainError } from './domain-error';

/**
 * An answer is larger than a limit on answers: MAX_RESPONSE_BYTES for every
 * job (checked before it is stored), GRPC_MAX_MESSAGE_BYTES for a gRPC reply.
 * Asking again the same way gives the same size, so it is never retried.
 */
export class ResponseTooLargeError extends DomainError {
  readonly code = 'RESPONSE_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly bytes: number,
    readonly limit: number,
    readonly setting: string,
  ) {
    super(
      `the answer would take ${bytes} bytes, more than the limit of ${limit} bytes (${setting}); ask for resolution=layer, fewer images or targets, or PNG output instead of a tensor`,
    );
    this.name = 'ResponseTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { bytes: this.bytes, limit: this.limit, setting: this.setting };
  }
}
