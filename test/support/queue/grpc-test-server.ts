import type { AppServices } from '../../../src/app.module';
import { type GrpcServerHandle, startGrpcServer } from '../../../src/grpc/grpc-server';
import { cnnLensClient, type GrpcTestClient } from './grpc-clients';

/** A gRPC server on a free local port, with a CnnLens client already pointed at it. */
export interface GrpcTestServer {
  readonly server: GrpcServerHandle;
  readonly client: GrpcTestClient;
  close(): Promise<void>;
}

export async function startGrpcTestServer(services: AppServices): Promise<GrpcTestServer> {
  const server = await startGrpcServer(services, 0, '127.0.0.1');
  const client = cnnLensClient(`127.0.0.1:${server.port}`);

  return {
    server,
    client,
    close: async () => {
      client.close();
      await server.close(100);
    },
  };
}
