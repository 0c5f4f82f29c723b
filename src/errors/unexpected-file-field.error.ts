import { DomainError } from './domain-error';

/**
 * A multipart file under a name other than `image`: refused rather than
 * ignored (`-F imgae=@x`) or taken as one more image of a batch.
 */
export class UnexpectedFileFieldError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(readonly field: string) {
    super(
      `the form has a file in the field "${field}"; images go in the file field "image" (repeat it for a batch, as curl -F image=@a.png -F image=@b.png does)`,
    );
    this.name = 'UnexpectedFileFieldError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: this.field };
  }
}
