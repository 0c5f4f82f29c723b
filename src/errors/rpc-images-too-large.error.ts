import { DomainError } from './domain-error';

/** The images of a gRPC request add up to more than MAX_UPLOAD_BYTES, the same bound as a REST upload. */
export class RpcImagesTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly field: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `field "${field}" may hold at most ${limitBytes} bytes of images in all (MAX_UPLOAD_BYTES), but it held ${bytes}; send fewer or smaller images`,
    );
    this.name = 'RpcImagesTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { bytes: this.bytes, limitBytes: this.limitBytes };
  }
}
