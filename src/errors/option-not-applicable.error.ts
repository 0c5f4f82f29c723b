import { DomainError } from './domain-error';

/** What an option was refused for: the request's method or its output. */
export interface OptionSubject {
  readonly name: 'method' | 'output';
  readonly value: string;
}

/**
 * A request option that the chosen method or output would not use: refused
 * rather than ignored, so that a caller never believes a map was smoothed,
 * taken at a layer or drawn in a colormap when it was not.
 */
export class OptionNotApplicableError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  /** @param appliesTo the methods or outputs the option does apply to */
  constructor(
    readonly parameter: string,
    readonly subject: OptionSubject,
    readonly received: unknown,
    readonly appliesTo: readonly string[],
  ) {
    const where = subject.name === 'method' ? appliesTo : appliesTo.map((v) => `output ${v}`);
    super(
      `parameter "${parameter}" does not apply to ${subject.name} ${subject.value}: expected it only with ${where.join(', ')}; received ${JSON.stringify(received) ?? 'nothing'}`,
    );
    this.name = 'OptionNotApplicableError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return {
      parameter: this.parameter,
      [this.subject.name]: this.subject.value,
      appliesTo: this.appliesTo,
    };
  }
}
