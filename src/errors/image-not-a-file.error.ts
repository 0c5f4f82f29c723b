import { DomainError } from './domain-error';

/** Where a text `image` came from. */
export type TextImageSource = 'text field' | 'query parameter';

/**
 * `image` sent as text (`-F image=hello`, `-F image=boot.png` without the @,
 * `?image=...`) rather than as a file upload: said as such, rather than as an
 * unknown parameter or a request without an image.
 */
export class ImageNotAFileError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(readonly source: TextImageSource) {
    super(
      `the field "image" must be a file upload (curl -F image=@file.png), but it came as a ${source}`,
    );
    this.name = 'ImageNotAFileError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: 'image', received: this.source };
  }
}
