import { DomainError } from './domain-error';

/**
 * The bytes of a gRPC request are not the protobuf encoding of its method's
 * request message: the gRPC counterpart of bytes the HTTP server cannot read
 * as a request, with the same code.
 */
export class MalformedRpcRequestError extends DomainError {
  readonly code = 'BAD_REQUEST';
  readonly kind = 'invalid-argument';

  /**
   * @param method the method's path, /cnnlens.v1.CnnLens/Explain
   * @param reason what the protobuf decoder found wrong
   */
  constructor(
    readonly method: string,
    readonly reason: string,
  ) {
    super(
      `the request of ${method} could not be decoded as its protobuf message (${reason}); encode it as proto/cnnlens/v1/cnn_lens.proto declares`,
    );
    this.name = 'MalformedRpcRequestError';
  }
}
