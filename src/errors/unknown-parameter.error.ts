import { DomainError } from './domain-error';

/** A request named a parameter its endpoint does not have (a typo, or one of another endpoint). */
export class UnknownParameterError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(
    readonly unknown: readonly string[],
    readonly accepted: readonly string[],
  ) {
    const named = unknown.map((name) => `"${name}"`).join(', ');
    super(
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${named}: expected parameters of this endpoint (${accepted.join(', ')})`,
    );
    this.name = 'UnknownParameterError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { parameter: this.unknown[0], unknown: this.unknown, accepted: this.accepted };
  }
}
