import { DomainError } from './domain-error';

/** A multipart form with more text fields than the server reads. */
export class TooManyFieldsError extends DomainError {
  readonly code = 'TOO_MANY_FIELDS';
  readonly kind = 'payload-too-large';

  constructor(readonly limit: number) {
    super(
      `a form may carry at most ${limit} fields besides its images; received more. Send only the parameters the endpoint takes`,
    );
    this.name = 'TooManyFieldsError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { limit: this.limit };
  }
}
