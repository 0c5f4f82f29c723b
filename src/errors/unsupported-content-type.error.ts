import { DomainError } from './domain-error';

/** The request body has a content type that carries no image (JSON, text, HTML, a PDF...) or none. */
export class UnsupportedContentTypeError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly kind = 'unsupported-media-type';

  constructor(readonly contentType: string | undefined) {
    const received =
      contentType === undefined || contentType.trim() === ''
        ? 'a request body without a Content-Type'
        : `request content type "${contentType}"`;
    super(
      `${received} carries no image: send multipart/form-data with a file field "image", or the image bytes with an image/* or application/octet-stream content type`,
    );
    this.name = 'UnsupportedContentTypeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return {
      received: this.contentType ?? null,
      accepted: ['multipart/form-data', 'image/*', 'application/octet-stream'],
    };
  }
}
