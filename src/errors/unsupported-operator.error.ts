import { DomainError } from './domain-error';

export class UnsupportedOperatorError extends DomainError {
  readonly code = 'UNSUPPORTED_OPERATOR';
  readonly kind = 'unprocessable';

  constructor(
    readonly opType: string,
    readonly nodeName: string,
  ) {
    super(
      `Operator ${opType} (node "${nodeName}") lies between the target and the output, and cnn-lens has no gradient rule for it`,
    );
    this.name = 'UnsupportedOperatorError';
  }
}
