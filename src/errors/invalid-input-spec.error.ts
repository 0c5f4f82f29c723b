import { DomainError } from './domain-error';

/** A model's input description (model.json) cannot drive preprocessing. */
export class InvalidInputSpecError extends DomainError {
  readonly code = 'INVALID_INPUT_SPEC';
  readonly kind = 'unprocessable';

  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`Input spec field "${field}" must be ${expected}, but it is ${JSON.stringify(received)}`);
    this.name = 'InvalidInputSpecError';
  }
}
