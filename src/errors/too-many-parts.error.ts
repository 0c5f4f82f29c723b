import { DomainError } from './domain-error';

/** A multipart form with more parts than fields and images together may have (nameless parts count too). */
export class TooManyPartsError extends DomainError {
  readonly code = 'TOO_MANY_PARTS';
  readonly kind = 'payload-too-large';

  constructor(readonly fieldLimit: number) {
    super(
      `a form may carry at most ${fieldLimit} fields and MAX_BATCH_IMAGES images; this one has more parts (parts without a name count too)`,
    );
    this.name = 'TooManyPartsError';
  }
}
