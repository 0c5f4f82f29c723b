import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';

import type { AppServices } from '../app.module';
import { CNN_LENS_SERVICE, loadCnnLensProto } from './cnn-lens.proto-loader';
import { toRpcError } from './grpc-error.mapper';
import { rpcCallOf, type UnaryRpc } from './rpc-call';
import { createRpcTable } from './rpc-table';

export interface GrpcServerHandle {
  readonly port: number;
  /** Stops taking calls, lets the running ones finish (at most graceMs), then closes. */
  close(graceMs: number): Promise<void>;
}

/**
 * Serves cnnlens.v1.CnnLens, the standard grpc.health.v1 service and server
 * reflection (grpcurl works without the .proto). Message limits in both
 * directions are GRPC_MAX_MESSAGE_BYTES; past them grpc-js answers RESOURCE_EXHAUSTED.
 */
export async function startGrpcServer(
  services: AppServices,
  port: number,
  host: string,
): Promise<GrpcServerHandle> {
  const limit = services.config.grpcMaxMessageBytes;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': limit,
    'grpc.max_send_message_length': limit,
  });
  const proto = loadCnnLensProto();

  server.addService(
    proto.service,
    implementation(proto.service, createRpcTable(services), services),
  );
  const health = new HealthImplementation({ '': 'SERVING', [CNN_LENS_SERVICE]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService(proto.reflected).addToServer(server);

  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error === null ? resolve(actual) : reject(error),
    );
  });

  return { port: bound, close: (graceMs) => shutdown(server, health, graceMs) };
}

function implementation(
  service: grpc.ServiceDefinition,
  rpcs: Readonly<Record<string, UnaryRpc>>,
  services: AppServices,
): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};

  for (const name of Object.keys(service)) {
    const rpc = rpcs[name];
    if (rpc !== undefined) {
      handlers[name] = unary(name, rpc, services);
    }
  }
  return handlers;
}

function unary(
  name: string,
  rpc: UnaryRpc,
  services: AppServices,
): grpc.handleUnaryCall<unknown, unknown> {
  return (call, callback) => {
    // a synchronous throw inside handle() becomes a rejection, so it gets its status too
    Promise.resolve()
      .then(() => rpc.handle(call.request, rpcCallOf(call)))
      .then(
        (response) => {
          services.metrics?.grpcRequests.inc({ method: name, status: 'OK' });
          callback(null, response);
        },
        (error: unknown) => {
          const rpcError = toRpcError(error, services.logger);
          services.metrics?.grpcRequests.inc({ method: name, status: grpc.status[rpcError.code] });
          callback(rpcError);
        },
      );
  };
}

async function shutdown(
  server: grpc.Server,
  health: HealthImplementation,
  graceMs: number,
): Promise<void> {
  health.setStatus('', 'NOT_SERVING');
  health.setStatus(CNN_LENS_SERVICE, 'NOT_SERVING');

  const graceful = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  const forced = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([graceful, forced]);
  server.forceShutdown();
}
