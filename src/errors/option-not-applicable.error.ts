import { DomainError } from './domain-error';

/**
 * A request option that the chosen method would not use: refused rather than
 * ignored, so that a caller never believes a map was smoothed or taken at a
 * layer when it was not.
 */
export class OptionNotApplicableError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(
    readonly parameter: string,
    readonly method: string,
    readonly received: unknown,
    readonly appliesTo: readonly string[],
  ) {
    super(
      `parameter "${parameter}" does not apply to method ${method}: expected it only with ${appliesTo.join(', ')}; received ${JSON.stringify(received) ?? 'nothing'}`,
    );
    this.name = 'OptionNotApplicableError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: this.parameter, method: this.method, appliesTo: this.appliesTo };
  }
}
