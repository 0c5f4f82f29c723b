import { DomainError } from './domain-error';

/** The upload is not in a format cnn-lens decodes; `detected` is what its first bytes look like. */
export class UnsupportedImageFormatError extends DomainError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
  readonly kind = 'unsupported-media-type';

  constructor(
    readonly detected: string | undefined,
    readonly accepted: readonly string[],
  ) {
    const came = detected === undefined ? 'bytes of no recognised image format' : detected;
    super(`parameter "image" must be one of ${accepted.join(', ')}, but it is ${came}`);
    this.name = 'UnsupportedImageFormatError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { detected: this.detected ?? null, accepted: this.accepted };
  }
}
