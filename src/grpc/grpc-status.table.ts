import { status } from '@grpc/grpc-js';

import type { ErrorKind } from '../errors/domain-error';

/** gRPC status for each kind of domain error; the HTTP transport has its own table (http/error-status.ts). */
export const GRPC_STATUS_BY_KIND: Readonly<Record<ErrorKind, status>> = {
  'invalid-argument': status.INVALID_ARGUMENT,
  'not-found': status.NOT_FOUND,
  'payload-too-large': status.RESOURCE_EXHAUSTED,
  'unsupported-media-type': status.INVALID_ARGUMENT,
  conflict: status.FAILED_PRECONDITION,
  unprocessable: status.FAILED_PRECONDITION,
  'too-many-requests': status.RESOURCE_EXHAUSTED,
  unavailable: status.UNAVAILABLE,
  timeout: status.DEADLINE_EXCEEDED,
  // HTTP-only kinds (the HTTP server's own refusals); listed so that the table stays total
  'request-timeout': status.DEADLINE_EXCEEDED,
  'headers-too-large': status.RESOURCE_EXHAUSTED,
  internal: status.INTERNAL,
};
