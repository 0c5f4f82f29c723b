import { DomainError } from './domain-error';

/** A supported operator used in a form (attribute value, run-time operand) its gradient rule cannot take. */
export class UnsupportedOperatorAttributeError extends DomainError {
  readonly code = 'UNSUPPORTED_OPERATOR_ATTRIBUTE';
  readonly kind = 'unprocessable';

  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly parameter: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(
      `Operator ${opType} (node "${nodeName}"): ${parameter} must be ${expected} for cnn-lens to differentiate it, got ${received}`,
    );
    this.name = 'UnsupportedOperatorAttributeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { opType: this.opType, node: this.nodeName, parameter: this.parameter };
  }
}
