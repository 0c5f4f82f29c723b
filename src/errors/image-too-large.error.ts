import { DomainError } from './domain-error';

export class ImageTooLargeError extends DomainError {
  readonly code = 'IMAGE_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly width: number,
    readonly height: number,
    readonly maxPixels: number,
  ) {
    super(
      `parameter "image" must have at most ${maxPixels} pixels, but it is ${width} x ${height} = ${width * height} pixels`,
    );
    this.name = 'ImageTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { width: this.width, height: this.height, maxPixels: this.maxPixels };
  }
}
