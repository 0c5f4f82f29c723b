import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

import { CNN_LENS_PROTO, PROTO_LOADER_OPTIONS } from '../../../src/grpc/cnn-lens.proto-loader';

type Callback<T> = (error: grpc.ServiceError | null, response: T) => void;
type UnaryMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback<unknown>,
) => grpc.ClientUnaryCall;

/** A unary call under way: its outcome, and the client's own way to cancel it. */
export interface PendingGrpcCall<T> {
  readonly result: Promise<T>;
  /** grpc-js ClientUnaryCall.cancel(): the call ends with CANCELLED and the server is told. */
  cancel(): void;
}

/** A client of a gRPC service, built from the .proto the way a caller in another service would. */
export interface GrpcTestClient {
  call<T = Record<string, unknown>>(
    method: string,
    request: unknown,
    deadlineMs?: number,
  ): Promise<T>;
  /** Starts a call as call() does, keeping the call object so the test can cancel it. */
  start<T = Record<string, unknown>>(
    method: string,
    request: unknown,
    deadlineMs?: number,
  ): PendingGrpcCall<T>;
  close(): void;
}

function clientFor(ctor: grpc.ServiceClientConstructor, address: string): GrpcTestClient {
  const client = new ctor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
  });
  const methods = client as unknown as Record<string, UnaryMethod>;
  const start = <T>(method: string, request: unknown, deadlineMs?: number) => {
    let call: grpc.ClientUnaryCall | undefined;
    const result = new Promise<T>((resolve, reject) => {
      const options = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
      call = methods[method].call(
        client,
        request,
        new grpc.Metadata(),
        options,
        (error, response) => (error === null ? resolve(response as T) : reject(error)),
      );
    });
    return { result, cancel: () => call?.cancel() };
  };

  return {
    call: <T>(method: string, request: unknown, deadlineMs?: number) =>
      start<T>(method, request, deadlineMs).result,
    start,
    close: () => client.close(),
  };
}

function serviceConstructor(
  definition: protoLoader.PackageDefinition,
  name: string,
): grpc.ServiceClientConstructor {
  let node: unknown = grpc.loadPackageDefinition(definition);
  for (const part of name.split('.')) {
    node = (node as Record<string, unknown>)[part];
  }
  return node as grpc.ServiceClientConstructor;
}

export function cnnLensClient(address: string): GrpcTestClient {
  const definition = protoLoader.loadSync(CNN_LENS_PROTO, PROTO_LOADER_OPTIONS);
  return clientFor(serviceConstructor(definition, 'cnnlens.v1.CnnLens'), address);
}

export function healthClient(address: string): GrpcTestClient {
  const definition = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String });
  return clientFor(serviceConstructor(definition, 'grpc.health.v1.Health'), address);
}

/** Lists the services the server's reflection announces, as grpcurl list does. */
export function reflectedServices(address: string): Promise<string[]> {
  const file = path.join(
    path.dirname(require.resolve('@grpc/reflection/package.json')),
    'build/proto/grpc/reflection/v1/reflection.proto',
  );
  const definition = protoLoader.loadSync(file, { keepCase: true });
  const ctor = serviceConstructor(definition, 'grpc.reflection.v1.ServerReflection');
  const client = new ctor(address, grpc.credentials.createInsecure());

  return new Promise((resolve, reject) => {
    const stream = (
      client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<unknown, unknown> }
    ).ServerReflectionInfo();
    stream.on('data', (response: { list_services_response?: { service: { name: string }[] } }) => {
      resolve(response.list_services_response?.service.map((service) => service.name) ?? []);
      stream.end();
      client.close();
    });
    stream.on('error', reject);
    stream.write({ list_services: '' });
  });
}

/** The stable cnn-lens error code a failed call carries in its trailing metadata. */
export function errorCodeOf(error: grpc.ServiceError): string | undefined {
  const value = error.metadata?.get('error-code')[0];
  return value === undefined ? undefined : String(value);
}
