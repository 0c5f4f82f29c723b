import { Metadata, type ServiceError, status } from '@grpc/grpc-js';

import { DomainError } from '../errors/domain-error';
import type { Logger } from '../logging/logger';
import { GRPC_STATUS_BY_KIND } from './grpc-status.table';

/** Trailing metadata key holding the stable cnn-lens error code. */
export const ERROR_CODE_KEY = 'error-code';

export type RpcError = Partial<ServiceError> & { code: status };

/** A domain error keeps its code and message; anything else is INTERNAL, logged, and not described to the caller. */
export function toRpcError(error: unknown, logger: Logger): RpcError {
  const metadata = new Metadata();

  if (error instanceof DomainError) {
    metadata.set(ERROR_CODE_KEY, error.code);
    return { code: GRPC_STATUS_BY_KIND[error.kind], details: error.message, metadata };
  }

  logger.error({ err: error }, 'unhandled gRPC error');
  metadata.set(ERROR_CODE_KEY, 'INTERNAL');
  return {
    code: status.INTERNAL,
    details: 'an unexpected error occurred; it has been logged',
    metadata,
  };
}
