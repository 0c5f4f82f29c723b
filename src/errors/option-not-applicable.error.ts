import { quoted } from './caller-value';
import { DomainError } from './domain-error';

/** What an option was refused for: the request's method, its output, or its answer format. */
export interface OptionSubject {
  readonly name: 'method' | 'output' | 'format';
  readonly value: string;
}

/**
 * A request option that the chosen method, output or format would not use:
 * refused rather than ignored, so that a caller never believes a map was
 * smoothed, taken at a layer or drawn in a colormap when it was not.
 */
export class OptionNotApplicableError extends DomainError {
  readonly code = 'INVALID_PARAMETER';
  readonly kind = 'invalid-argument';

  /**
   * @param appliesTo the methods, outputs or formats the option does apply to
   * @param reason why it applies only there, when the subject does not make it plain
   */
  constructor(
    readonly parameter: string,
    readonly subject: OptionSubject,
    readonly received: unknown,
    readonly appliesTo: readonly string[],
    readonly reason?: string,
  ) {
    const where =
      subject.name === 'method' ? appliesTo : appliesTo.map((v) => `${subject.name} ${v}`);
    const why = reason === undefined ? '' : ` (${reason})`;
    super(
      `parameter "${parameter}" does not apply to ${subject.name} ${subject.value}: expected it only with ${where.join(', ')}${why}; received ${quoted(received)}`,
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
