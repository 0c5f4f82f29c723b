import { DomainError } from './domain-error';

/** The images of one request have more pixels in all than MAX_REQUEST_PIXELS, each within MAX_IMAGE_PIXELS. */
export class BatchTooLargeError extends DomainError {
  readonly code = 'BATCH_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly images: number,
    readonly pixels: number,
    readonly maxRequestPixels: number,
  ) {
    super(
      `the ${images} images of the request must have at most ${maxRequestPixels} pixels in all (MAX_REQUEST_PIXELS), but they have ${pixels}; send fewer or smaller images in each request`,
    );
    this.name = 'BatchTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { images: this.images, pixels: this.pixels, maxRequestPixels: this.maxRequestPixels };
  }
}
