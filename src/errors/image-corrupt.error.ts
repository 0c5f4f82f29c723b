import { DomainError } from './domain-error';

/**
 * The bytes announce a supported format but their pixel data is damaged or cut short.
 * A caller's mistake (400), so the queue never retries it.
 */
export class ImageCorruptError extends DomainError {
  readonly code = 'IMAGE_CORRUPT';
  readonly kind = 'invalid-argument';

  constructor(
    readonly format: string,
    readonly reason: string,
  ) {
    super(
      `parameter "image" must be a complete, valid ${format} file, but decoding failed: ${reason}`,
    );
    this.name = 'ImageCorruptError';
  }
}
