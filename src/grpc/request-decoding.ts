import type * as grpc from '@grpc/grpc-js';

import { MalformedRpcRequestError } from '../errors/malformed-rpc-request.error';

type Deserialize = (bytes: Buffer) => unknown;

/**
 * The service with request decoders that never throw: a request that cannot
 * be decoded is handed to its handler as a MalformedRpcRequestError, which
 * checkedRequest() throws there. grpc-js answers a decoder that throws with
 * INTERNAL "Error deserializing request", whatever the error carries
 * (server-interceptors.js, decompressAndMaybePush), when the mistake is the
 * caller's: INVALID_ARGUMENT with the code BAD_REQUEST.
 */
export function refusingDecoders(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => {
      const deserialize = method.requestDeserialize as Deserialize;
      const decodeOrRefusal: Deserialize = (bytes) => {
        try {
          return deserialize(bytes);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          return new MalformedRpcRequestError(method.path, reason);
        }
      };
      return [name, { ...method, requestDeserialize: decodeOrRefusal }];
    }),
  );
}

/** The decoded request, or the refusal refusingDecoders() put in its place, thrown. */
export function checkedRequest(request: unknown): unknown {
  if (request instanceof MalformedRpcRequestError) {
    throw request;
  }
  return request;
}
