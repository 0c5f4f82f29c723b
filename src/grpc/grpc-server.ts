import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';

import type { AppServices } from '../app.module';
import { checkListenAddress } from '../config/listen-address';
import { ResponseTooLargeError } from '../errors/response-too-large.error';
import { CNN_LENS_SERVICE, loadCnnLensProto } from './cnn-lens.proto-loader';
import { toRpcError } from './grpc-error.mapper';
import { GrpcHealthReporter, isReady } from './grpc-health.reporter';
import { checkedRequest, refusingDecoders } from './request-decoding';
import { rpcCallOf, type UnaryRpc } from './rpc-call';
import { createRpcTable } from './rpc-table';

export interface GrpcServerHandle {
  readonly port: number;
  /** Calls being answered, for the drain's log lines. */
  calls(): number;
  /** Stops taking calls, lets the running ones finish (at most graceMs), then closes. */
  close(graceMs: number): Promise<void>;
}

/** Calls in flight, counted by unary(). */
interface CallCount {
  value: number;
}

type Serialize = (value: unknown) => Buffer;

/**
 * Serves cnnlens.v1.CnnLens, the standard grpc.health.v1 service (SERVING
 * exactly when GET /readyz answers 200) and server reflection (grpcurl works
 * without the .proto). Message limits in both directions are
 * GRPC_MAX_MESSAGE_BYTES: a request past it is refused by grpc-js with
 * RESOURCE_EXHAUSTED; an answer past it fails with RESOURCE_EXHAUSTED and
 * the error code RESPONSE_TOO_LARGE, measured on its encoded bytes. A request
 * whose bytes are not its message's protobuf encoding is INVALID_ARGUMENT
 * with the error code BAD_REQUEST.
 */
export async function startGrpcServer(
  services: AppServices,
  port: number,
  host: string,
): Promise<GrpcServerHandle> {
  const limit = services.config.grpcMaxMessageBytes;
  // grpc-js's own bind error says only "No address added" (and logs it): name the setting first
  await checkListenAddress({ variable: 'GRPC_PORT', host, port });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': limit,
    'grpc.max_send_message_length': limit,
  });
  const proto = loadCnnLensProto();

  const inFlight: CallCount = { value: 0 };
  server.addService(
    presized(refusingDecoders(proto.service)),
    implementation(proto.service, createRpcTable(services), services, inFlight),
  );
  const health = new HealthImplementation({ '': 'NOT_SERVING', [CNN_LENS_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(proto.reflected).addToServer(server);
  const reporter = new GrpcHealthReporter(health, ['', CNN_LENS_SERVICE], () => isReady(services));
  await reporter.start();

  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error === null ? resolve(actual) : reject(error),
    );
  });

  return {
    port: bound,
    calls: () => inFlight.value,
    close: async (graceMs) => {
      const forced = await shutdown(server, reporter, graceMs);
      if (forced) {
        services.logger.warn(
          { calls: inFlight.value, graceMs },
          'gRPC drain gave up: cancelling the calls left',
        );
      }
    },
  };
}

/**
 * The service with serializers that pass bytes through: each answer is
 * encoded once, in unary(), where its size is checked before it is sent.
 */
function presized(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => {
      const serialize = method.responseSerialize as Serialize;
      const passBytes: Serialize = (value) => (Buffer.isBuffer(value) ? value : serialize(value));
      return [name, { ...method, responseSerialize: passBytes }];
    }),
  );
}

function implementation(
  service: grpc.ServiceDefinition,
  rpcs: Readonly<Record<string, UnaryRpc>>,
  services: AppServices,
  inFlight: CallCount,
): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};

  for (const [name, method] of Object.entries(service)) {
    const rpc = rpcs[name];
    if (rpc !== undefined) {
      handlers[name] = unary(name, rpc, method.responseSerialize as Serialize, services, inFlight);
    }
  }
  return handlers;
}

function unary(
  name: string,
  rpc: UnaryRpc,
  serialize: Serialize,
  services: AppServices,
  inFlight: CallCount,
): grpc.handleUnaryCall<unknown, unknown> {
  const limit = services.config.grpcMaxMessageBytes;

  return (call, callback) => {
    inFlight.value += 1;
    // a synchronous throw inside handle() becomes a rejection, so it gets its status too
    Promise.resolve()
      .then(() => rpc.handle(checkedRequest(call.request), rpcCallOf(call)))
      .then((response) => encodedWithin(serialize(response), limit))
      .then(
        (encoded) => {
          services.metrics?.grpcRequests.inc({ method: name, status: 'OK' });
          callback(null, encoded);
        },
        (error: unknown) => {
          const rpcError = toRpcError(error, services.logger);
          services.metrics?.grpcRequests.inc({ method: name, status: grpc.status[rpcError.code] });
          callback(rpcError);
        },
      )
      .finally(() => {
        inFlight.value -= 1;
      });
  };
}

/** grpc-js would refuse a larger answer itself, with RESOURCE_EXHAUSTED but no error code. */
function encodedWithin(encoded: Buffer, limit: number): Buffer {
  if (encoded.length > limit) {
    throw new ResponseTooLargeError(encoded.length, limit, 'GRPC_MAX_MESSAGE_BYTES');
  }
  return encoded;
}

/** Resolves true when the grace ran out before the calls in flight had finished. */
async function shutdown(
  server: grpc.Server,
  reporter: GrpcHealthReporter,
  graceMs: number,
): Promise<boolean> {
  reporter.stop();

  let timer: NodeJS.Timeout | undefined;
  const graceful = new Promise<false>((resolve) => server.tryShutdown(() => resolve(false)));
  const forced = new Promise<true>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
    timer.unref();
  });
  const gaveUp = await Promise.race([graceful, forced]);
  clearTimeout(timer);
  server.forceShutdown();
  return gaveUp;
}
