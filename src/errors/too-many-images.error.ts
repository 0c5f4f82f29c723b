import { DomainError } from './domain-error';

export class TooManyImagesError extends DomainError {
  readonly code = 'TOO_MANY_IMAGES';
  readonly kind = 'payload-too-large';

  constructor(
    readonly received: number,
    readonly limit: number,
    /** True when the upload was cut off at `received` files and carried more. */
    readonly atLeast = false,
  ) {
    const came = `received ${atLeast ? 'at least ' : ''}${received}`;
    super(
      limit === 1
        ? `this endpoint takes one image per request; ${came}`
        : `a request may carry at most ${limit} images (MAX_BATCH_IMAGES); ${came}`,
    );
    this.name = 'TooManyImagesError';
  }
}
