import { DomainError } from './domain-error';

/** A JSON tensor answer would hold more values than MAX_JSON_TENSOR_VALUES; .npy or resolution=layer fits. */
export class TensorJsonTooLargeError extends DomainError {
  readonly code = 'TENSOR_JSON_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly values: number,
    readonly limit: number,
  ) {
    super(
      `Parameter "format" json holds at most ${limit} tensor values (MAX_JSON_TENSOR_VALUES), but this answer has ${values}; ask for format=npy (binary float32) or resolution=layer`,
    );
    this.name = 'TensorJsonTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { values: this.values, limit: this.limit };
  }
}
