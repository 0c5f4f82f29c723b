import { DomainError } from './domain-error';

/**
 * An image's refusal (empty, unsupported, too large, damaged) in a request of
 * several images: the same code, kind and details, with the message and the
 * details saying which image it was, by its position in the request.
 */
export class ImageInBatchError extends DomainError {
  readonly code: string;
  readonly kind: DomainError['kind'];

  constructor(
    readonly refusal: DomainError,
    readonly image: number,
    readonly images: number,
  ) {
    super(`image ${image} of ${images} (counted from 0): ${refusal.message}`);
    this.code = refusal.code;
    this.kind = refusal.kind;
    this.name = 'ImageInBatchError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { ...this.refusal.details(), image: this.image };
  }
}

/** Runs one image's check or decode; in a batch, its refusal names the image's position. */
export async function forImage<T>(
  image: number,
  images: number,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (images > 1 && error instanceof DomainError && !(error instanceof ImageInBatchError)) {
      throw new ImageInBatchError(error, image, images);
    }
    throw error;
  }
}
