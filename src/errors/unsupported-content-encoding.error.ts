import { DomainError } from './domain-error';

/**
 * A request body with a Content-Encoding (gzip, br, deflate...): neither Fastify
 * nor the multipart reader decompresses, and image formats are compressed already.
 */
export class UnsupportedContentEncodingError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly kind = 'unsupported-media-type';

  constructor(readonly contentEncoding: string) {
    super(
      `Content-Encoding ${JSON.stringify(contentEncoding)} is not supported: send the request body uncompressed, without a Content-Encoding header (image formats are compressed already)`,
    );
    this.name = 'UnsupportedContentEncodingError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { received: this.contentEncoding, accepted: ['identity'] };
  }
}
