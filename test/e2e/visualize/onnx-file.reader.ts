import * as fs from 'node:fs';
import * as path from 'node:path';

import * as protobuf from 'protobufjs';

/**
 * Reads an ONNX file with protobufjs and onnx.proto alone, independent of the
 * service's own codec, so that tests compare the service with the file itself.
 */
export interface OnnxFile {
  readonly initializers: ReadonlyMap<
    string,
    { readonly dims: number[]; readonly data: Float32Array }
  >;
  readonly nodes: readonly {
    readonly name: string;
    readonly opType: string;
    readonly input: string[];
    readonly output: string[];
    readonly ints: Readonly<Record<string, number[]>>;
  }[];
}

interface RawTensor {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  floatData: number[];
}

interface RawNode {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: { name: string; ints: number[]; i?: number }[];
}

export function readOnnxFile(file: string): OnnxFile {
  const root = protobuf.loadSync(path.resolve(__dirname, '../../../proto/onnx/onnx.proto'));
  const type = root.lookupType('onnx.ModelProto');
  const model = type.toObject(type.decode(fs.readFileSync(file)), {
    longs: Number,
    arrays: true,
    defaults: true,
  }) as {
    graph: { initializer: RawTensor[]; node: RawNode[] };
  };

  const initializers = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const tensor of model.graph.initializer.filter((t) => t.dataType === 1)) {
    const raw = tensor.rawData;
    const data =
      raw !== undefined && raw.length > 0
        ? new Float32Array(Uint8Array.from(raw).buffer)
        : Float32Array.from(tensor.floatData);
    initializers.set(tensor.name, { dims: tensor.dims, data });
  }
  const nodes = model.graph.node.map((node) => ({
    name: node.name,
    opType: node.opType,
    input: node.input,
    output: node.output,
    ints: Object.fromEntries(
      node.attribute.map((a) => [a.name, a.ints.length > 0 ? a.ints : [a.i ?? 0]]),
    ),
  }));
  return { initializers, nodes };
}
