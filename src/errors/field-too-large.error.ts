import { DomainError } from './domain-error';
import { shortened } from './caller-value';

/** A multipart text field longer than the server reads of one: refused, never read cut short. */
export class FieldTooLargeError extends DomainError {
  readonly code = 'FIELD_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly field: string,
    readonly limitBytes: number,
  ) {
    super(
      `form field "${shortened(field)}" must have at most ${limitBytes} bytes; received more. Parameters are names and numbers: send the image as the file field "image"`,
    );
    this.name = 'FieldTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { field: shortened(this.field), limitBytes: this.limitBytes };
  }
}
