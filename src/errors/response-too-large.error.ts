import { DomainError } from './domain-error';

/** How an answer's size was known before it was computed, and what would make it fit. */
export interface AnswerEstimate {
  /** Whether `bytes` is a lower bound (a JSON document's fields are not known yet) rather than exact. */
  readonly atLeast: boolean;
  /** Changes to the request that would fit the limit, e.g. `resolution=layer`; each one is checked. */
  readonly hints: readonly string[];
}

/**
 * An answer is larger than a limit on answers: MAX_RESPONSE_BYTES for every
 * job (checked before it is stored), GRPC_MAX_MESSAGE_BYTES for a gRPC reply.
 * With an estimate, the size was known from the request and the images'
 * headers and the answer was never computed. Asking again the same way gives
 * the same size, so it is never retried.
 */
export class ResponseTooLargeError extends DomainError {
  readonly code = 'RESPONSE_TOO_LARGE';
  readonly kind = 'payload-too-large';

  constructor(
    readonly bytes: number,
    readonly limit: number,
    readonly setting: string,
    readonly estimate?: AnswerEstimate,
  ) {
    super(
      estimate === undefined
        ? `the answer would take ${bytes} bytes, more than the limit of ${limit} bytes (${setting}); ask for less: fewer or smaller images, or fewer targets, layers or channels`
        : `the answer would take ${estimate.atLeast ? 'at least ' : ''}${bytes} bytes, more than the limit of ${limit} bytes (${setting}), so it was refused before being computed${estimate.hints.length > 0 ? `; ask for ${estimate.hints.join(', or ')}` : ''}`,
    );
    this.name = 'ResponseTooLargeError';
  }

  override details(): Readonly<Record<string, unknown>> {
    const fields = { bytes: this.bytes, limit: this.limit, setting: this.setting };
    return this.estimate === undefined ? fields : { ...fields, estimated: true };
  }
}
