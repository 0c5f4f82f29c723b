import { quoted, shortened } from './caller-value';
import { DomainError } from './domain-error';

/** A request named a parameter its endpoint does not have (a typo, or one of another endpoint). */
export class UnknownParameterError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  constructor(
    readonly unknown: readonly string[],
    readonly accepted: readonly string[],
  ) {
    const named = unknown.map(quoted).join(', ');
    super(
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${named}: expected parameters of this endpoint (${accepted.join(', ')})`,
    );
    this.name = 'UnknownParameterError';
  }

  override details(): Readonly<Record<string, unknown>> {
    const unknown = this.unknown.map(shortened);
    return { parameter: unknown[0], unknown, accepted: this.accepted };
  }
}
