import { DomainError } from './domain-error';

export class UploadMissingError extends DomainError {
  readonly code = 'IMAGE_MISSING';
  readonly kind = 'invalid-argument';

  constructor(readonly contentType: string | undefined) {
    super(
      `no image in the request (content-type ${contentType ?? 'none'}): send multipart/form-data with a file field "image", or the image bytes as the body with an image/* or application/octet-stream content type`,
    );
    this.name = 'UploadMissingError';
  }
}
