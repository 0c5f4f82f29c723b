import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** proto/ at the repository root, from src/grpc (ts) and from dist/grpc (built) alike. */
export const PROTO_ROOT = path.resolve(__dirname, '../../proto');
export const CNN_LENS_PROTO = 'cnnlens/v1/cnn_lens.proto';
export const CNN_LENS_SERVICE = 'cnnlens.v1.CnnLens';

/** snake_case field names as in the .proto; int64 as JS numbers (shapes are small); unset fields stay absent. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export interface CnnLensProto {
  readonly service: grpc.ServiceDefinition;
  /** Everything reflection announces: CnnLens and the health service. */
  readonly reflected: protoLoader.PackageDefinition;
}

export function loadCnnLensProto(): CnnLensProto {
  const definition = protoLoader.loadSync(CNN_LENS_PROTO, PROTO_LOADER_OPTIONS);
  const service = definition[CNN_LENS_SERVICE] as grpc.ServiceDefinition;
  const reflected = protoLoader.loadSync([CNN_LENS_PROTO, healthProtoPath], PROTO_LOADER_OPTIONS);
  return { service, reflected };
}
