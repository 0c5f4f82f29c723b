/**
 * What kind of failure an error is; each transport maps the kind to its own
 * status (HTTP in http/, gRPC in grpc/), so the core never speaks HTTP.
 */
export type ErrorKind =
  | 'invalid-argument' // 400 / INVALID_ARGUMENT
  | 'not-found' // 404 / NOT_FOUND
  | 'payload-too-large' // 413 / RESOURCE_EXHAUSTED
  | 'unsupported-media-type' // 415 / INVALID_ARGUMENT
  | 'conflict' // 409 / FAILED_PRECONDITION
  | 'unprocessable' // 422 / FAILED_PRECONDITION
  | 'too-many-requests' // 429 / RESOURCE_EXHAUSTED
  | 'unavailable' // 503 / UNAVAILABLE
  | 'timeout' // 504 / DEADLINE_EXCEEDED
  | 'request-timeout' // 408: the client was too slow to send its request (HTTP only)
  | 'headers-too-large' // 431 (HTTP only)
  | 'internal'; // 500 / INTERNAL

/**
 * Base of every error cnn-lens reports to a caller. The code is stable and
 * documented; the message names the parameter, what was expected and what came.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  /** Caller mistakes are never retried by the job queue. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'internal';
  }

  /** Extra structured fields for the error body (valid layer names, limits). */
  details(): Readonly<Record<string, unknown>> | undefined {
    return undefined;
  }
}
