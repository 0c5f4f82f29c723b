import { DomainError } from './domain-error';

/** JSON has no NaN or Infinity, so such a tensor cannot be sent as JSON (use .npy). */
export class TensorNotFiniteError extends DomainError {
  readonly code = 'TENSOR_NOT_FINITE';
  readonly kind = 'unprocessable';

  constructor(
    readonly index: number,
    readonly value: number,
  ) {
    super(
      `Tensor element ${index} must be finite to be encoded as JSON, but it is ${String(value)}; request the .npy format instead`,
    );
    this.name = 'TensorNotFiniteError';
  }
}
