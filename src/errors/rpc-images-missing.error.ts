import { DomainError } from './domain-error';

/** 0, 2 and 3 */
const listed = (positions: readonly number[]): string =>
  positions.length > 1
    ? `${positions.slice(0, -1).join(', ')} and ${positions.at(-1) ?? ''}`
    : String(positions[0] ?? '');

/**
 * A gRPC request came without image bytes in the field that must carry them,
 * or with empty entries in a batch: those are named, never skipped, since the
 * answers are numbered by position in the request.
 */
export class RpcImagesMissingError extends DomainError {
  readonly code = 'IMAGE_MISSING';
  readonly kind = 'invalid-argument';

  /**
   * @param emptyEntries positions (from 0) of the empty entries; none when the field itself was empty
   * @param entries how many entries the field held
   */
  constructor(
    readonly field: string,
    readonly emptyEntries: readonly number[] = [],
    readonly entries = 0,
  ) {
    const expected = `field "${field}" must hold the bytes of an image file (PNG, JPEG, WebP, ...)`;
    const which =
      emptyEntries.length === 1
        ? `entry ${listed(emptyEntries)} of ${entries} (counted from 0) was empty`
        : `entries ${listed(emptyEntries)} of ${entries} (counted from 0) were empty`;
    super(
      emptyEntries.length === 0
        ? `${expected}, but it was empty`
        : `${expected} in every entry, but ${which}`,
    );
    this.name = 'RpcImagesMissingError';
  }
}
