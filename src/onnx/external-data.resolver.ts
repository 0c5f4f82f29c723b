import * as fs from 'node:fs';
import * as path from 'node:path';

import { ModelLoadError } from '../errors/model-load.error';
import {
  DataLocation,
  type AttributeProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type SparseTensorProto,
  type TensorProto,
} from './onnx.types';

/**
 * Reads tensors stored outside the .onnx file (data_location EXTERNAL) into
 * raw_data, from the file named by external_data "location" in `modelDir`,
 * honouring "offset" and "length". Every tensor of the model is resolved:
 * initializers and sparse initializers, tensors in node attributes
 * (Constant), in subgraphs (If, Loop and Scan bodies, at any depth) and in
 * model-local functions; the model reaches onnxruntime as bytes, with no
 * directory to look in. Returns a new model; the input is unchanged.
 */
export function resolveExternalData(model: ModelProto, modelDir: string): ModelProto {
  const files = new Map<string, Buffer>();
  const tensor = (t: TensorProto): TensorProto => resolveTensor(t, modelDir, files);
  return {
    ...model,
    ...(model.graph === undefined ? {} : { graph: resolveGraph(model.graph, tensor) }),
    ...(model.functions === undefined
      ? {}
      : {
          functions: model.functions.map((f) => ({
            ...f,
            node: f.node.map((n) => resolveNode(n, tensor)),
          })),
        }),
  };
}

type TensorResolver = (tensor: TensorProto) => TensorProto;

function resolveGraph(graph: GraphProto, tensor: TensorResolver): GraphProto {
  return {
    ...graph,
    initializer: graph.initializer.map(tensor),
    ...(graph.sparseInitializer === undefined
      ? {}
      : { sparseInitializer: graph.sparseInitializer.map((t) => resolveSparse(t, tensor)) }),
    node: graph.node.map((node) => resolveNode(node, tensor)),
  };
}

function resolveNode(node: NodeProto, tensor: TensorResolver): NodeProto {
  return { ...node, attribute: node.attribute.map((a) => resolveAttribute(a, tensor)) };
}

function resolveAttribute(attribute: AttributeProto, tensor: TensorResolver): AttributeProto {
  const { t, g, sparseTensor, sparseTensors } = attribute;
  return {
    ...attribute,
    ...(t === undefined ? {} : { t: tensor(t) }),
    ...(g === undefined ? {} : { g: resolveGraph(g, tensor) }),
    ...(sparseTensor === undefined ? {} : { sparseTensor: resolveSparse(sparseTensor, tensor) }),
    tensors: attribute.tensors.map(tensor),
    graphs: attribute.graphs.map((graph) => resolveGraph(graph, tensor)),
    ...(sparseTensors === undefined
      ? {}
      : { sparseTensors: sparseTensors.map((s) => resolveSparse(s, tensor)) }),
  };
}

function resolveSparse(sparse: SparseTensorProto, tensor: TensorResolver): SparseTensorProto {
  return {
    ...sparse,
    ...(sparse.values === undefined ? {} : { values: tensor(sparse.values) }),
    ...(sparse.indices === undefined ? {} : { indices: tensor(sparse.indices) }),
  };
}

function resolveTensor(
  tensor: TensorProto,
  modelDir: string,
  files: Map<string, Buffer>,
): TensorProto {
  if (tensor.dataLocation !== DataLocation.EXTERNAL) {
    return tensor;
  }
  const entry = (key: string): string | undefined =>
    tensor.externalData.find((item) => item.key === key)?.value;
  const location = entry('location') ?? '';
  const file = readOnce(files, modelDir, location, tensor.name ?? '');

  const offset = Number(entry('offset') ?? '0');
  const length = entry('length') === undefined ? file.length - offset : Number(entry('length'));
  if (offset + length > file.length) {
    throw missing(
      tensor.name ?? '',
      location,
      `it holds ${file.length} bytes, the tensor needs ${offset + length}`,
    );
  }

  return {
    ...tensor,
    externalData: [],
    dataLocation: DataLocation.DEFAULT,
    rawData: file.subarray(offset, offset + length),
  };
}

function readOnce(
  files: Map<string, Buffer>,
  modelDir: string,
  location: string,
  tensorName: string,
): Buffer {
  const cached = files.get(location);
  if (cached !== undefined) {
    return cached;
  }
  const fullPath = path.resolve(modelDir, location);
  const inside = fullPath.startsWith(path.resolve(modelDir) + path.sep);
  if (location === '' || !inside || !fs.existsSync(fullPath)) {
    throw missing(tensorName, location, 'no such file next to the model');
  }
  const bytes = fs.readFileSync(fullPath);
  files.set(location, bytes);
  return bytes;
}

function missing(tensorName: string, location: string, why: string): ModelLoadError {
  return new ModelLoadError(
    'MODEL_EXTERNAL_DATA_MISSING',
    `Tensor "${tensorName}" keeps its data in the external file "${location}" (external_data location), expected next to the model file: ${why}`,
  );
}
