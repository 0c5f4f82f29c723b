import { DomainError } from './domain-error';

export class TooManyImagesError extends DomainError {
  readonly code = 'TOO_MANY_IMAGES';
  readonly kind = 'payload-too-large';

  constructor(
    readonly received: number,
    readonly limit: number,
  ) {
    super(
      limit === 1
        ? `this endpoint takes one image per request; received ${received}`
        : `a request may carry at most ${limit} images (MAX_BATCH_IMAGES); received ${received}`,
    );
    this.name = 'TooManyImagesError';
  }
}
