import type { ErrorKind } from '../errors/domain-error';

/** HTTP status for each kind of domain error; the gRPC transport has its own table. */
export const HTTP_STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-argument': 400,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  'too-many-requests': 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
  'request-timeout': 408,
  'headers-too-large': 431,
};
