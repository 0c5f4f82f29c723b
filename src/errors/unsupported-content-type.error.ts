import { DomainError } from './domain-error';

/** The request body has a content type that carries no image (JSON, text, forms without files). */
export class UnsupportedContentTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly kind = 'unsupported-media-type';

  constructor(readonly contentType: string) {
    super(
      `request content type "${contentType}" carries no image: send multipart/form-data with a file field "image", or the image bytes with an image/* or application/octet-stream content type`,
    );
    this.name = 'UnsupportedContentTypeError';
  }
}
