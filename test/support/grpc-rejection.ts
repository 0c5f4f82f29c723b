import type { ServiceError } from '@grpc/grpc-js';

/** The error a gRPC call ends with; fails the test when the call succeeds instead. */
export async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('the call succeeded');
}
