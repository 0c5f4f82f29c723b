import { DomainError } from './domain-error';

export class ImageMissingError extends DomainError {
  readonly code = 'IMAGE_MISSING';
  readonly kind = 'invalid-argument';

  constructor(readonly parameter = 'image') {
    super(`parameter "${parameter}" must hold the bytes of an image, but it was empty`);
    this.name = 'ImageMissingError';
  }
}
