import { DomainError } from './domain-error';

/**
 * A JSON tensor answer would hold more values than MAX_JSON_TENSOR_VALUES.
 * The hints are the changes that were checked to fit (format=npy only when
 * the .npy answer fits the answer limit too), and `npyRefusal` says why
 * format=npy is not among them when it would be refused as well.
 */
export class TensorJsonTooLargeError extends DomainError {
  readonly code = 'TENSOR_JSON_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly values: number,
    readonly limit: number,
    readonly hints: readonly string[],
    readonly npyRefusal?: string,
  ) {
    const ask = hints.length > 0 ? `; ask for ${hints.join(', or ')}` : '';
    const npy = npyRefusal === undefined ? '' : ` (${npyRefusal})`;
    super(
      `parameter "format" json holds at most ${limit} tensor values (MAX_JSON_TENSOR_VALUES), but this answer has ${values}${ask}${npy}`,
    );
    this.name = 'TensorJsonTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    return { values: this.values, limit: this.limit };
  }
}
