import { DomainError } from './domain-error';

/** A gRPC request came without image bytes in the field that must carry them. */
export class RpcImagesMissingError extends DomainError {
  readonly code = 'IMAGE_MISSING';
  readonly kind = 'invalid-argument';

  constructor(
    readonly field: string,
    readonly received: number,
  ) {
    super(
      received === 0
        ? `field "${field}" must hold the bytes of an image file (PNG, JPEG, WebP, ...), but it was empty`
        : `field "${field}" must hold the bytes of at least one image file (PNG, JPEG, WebP, ...), but its ${received} entries were all empty`,
    );
    this.name = 'RpcImagesMissingError';
  }
}
