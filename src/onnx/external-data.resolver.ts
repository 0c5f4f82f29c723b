import * as fs from 'node:fs';
import * as path from 'node:path';

import { ModelLoadError } from '../errors/model-load.error';
import { DataLocation, type GraphProto, type ModelProto, type TensorProto } from './onnx.types';

/**
 * Reads tensors stored outside the .onnx file (data_location EXTERNAL) into
 * raw_data, from the file named by external_data "location" in `modelDir`,
 * honouring "offset" and "length". Returns a new model; the input is unchanged.
 */
export function resolveExternalData(model: ModelProto, modelDir: string): ModelProto {
  if (model.graph === undefined) {
    return model;
  }
  const files = new Map<string, Buffer>();
  return { ...model, graph: resolveGraph(model.graph, modelDir, files) };
}

function resolveGraph(graph: GraphProto, modelDir: string, files: Map<string, Buffer>): GraphProto {
  return {
    ...graph,
    initializer: graph.initializer.map((tensor) => resolveTensor(tensor, modelDir, files)),
    node: graph.node.map((node) => ({
      ...node,
      attribute: node.attribute.map((attribute) =>
        attribute.t === undefined
          ? attribute
          : { ...attribute, t: resolveTensor(attribute.t, modelDir, files) },
      ),
    })),
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
