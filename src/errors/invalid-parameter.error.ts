import { quoted } from './caller-value';
import { DomainError } from './domain-error';

/** A request parameter failed validation; the message names it, what it accepts and what came. */
export class InvalidParameterError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(
    readonly parameter: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`parameter "${parameter}" must be ${expected}; received ${quoted(received)}`);
    this.name = 'InvalidParameterError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: this.parameter };
  }
}
