import * as ort from 'onnxruntime-node';

import { encodeModel } from '../onnx/onnx.codec';
import { exposeValues } from '../onnx/expose-values';
import { GraphView } from '../onnx/graph.view';
import { DataType, type ModelProto } from '../onnx/onnx.types';
import type { ConstantData } from '../onnx/autodiff/gradient-rule';
import type { ValueFact, ValueFacts } from '../onnx/value-facts';

const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  float32: DataType.FLOAT,
  uint8: DataType.UINT8,
  int8: DataType.INT8,
  uint16: DataType.UINT16,
  int16: DataType.INT16,
  int32: DataType.INT32,
  int64: DataType.INT64,
  string: DataType.STRING,
  bool: DataType.BOOL,
  float16: DataType.FLOAT16,
  float64: DataType.DOUBLE,
  uint32: DataType.UINT32,
  uint64: DataType.UINT64,
};

/**
 * Shape and element type of every value for one input shape, learned by
 * running the model once on zeros with every value exposed as an output.
 * Running onnxruntime itself is the most reliable source for any operator
 * (custom shape logic, opset quirks, data-dependent shapes), where static
 * shape inference would need a rule per operator.
 */
export async function probeValueFacts(
  model: ModelProto,
  inputShapes: Readonly<Record<string, readonly number[]>>,
): Promise<ValueFacts> {
  const view = new GraphView(model);
  const facts = new Map<string, ValueFact>();
  for (const tensor of view.graph.initializer) {
    facts.set(tensor.name ?? '', {
      shape: [...tensor.dims],
      elementType: tensor.dataType ?? DataType.FLOAT,
    });
  }

  const produced = view.nodes.flatMap((node) => node.output).filter((name) => name !== '');
  const feeds = zeroFeeds(model, view, inputShapes);
  const session = await ort.InferenceSession.create(encodeModel(exposeValues(model, produced)), {
    graphOptimizationLevel: 'disabled',
  });

  try {
    const results = await session.run(feeds);
    for (const [name, tensor] of Object.entries({ ...feeds, ...results })) {
      facts.set(name, {
        shape: tensor.dims.map(Number),
        elementType: ELEMENT_TYPES[tensor.type] ?? DataType.UNDEFINED,
        ...smallData(tensor),
      });
    }
  } finally {
    await session.release();
  }
  return facts;
}

/** Shape computations are small: keep the content of tensors up to this many elements. */
const KEPT_ELEMENTS = 4096;

function smallData(tensor: ort.Tensor): { data?: ConstantData } {
  if (tensor.size > KEPT_ELEMENTS) {
    return {};
  }
  const data = tensor.data;
  if (
    data instanceof Float32Array ||
    data instanceof Float64Array ||
    data instanceof BigInt64Array ||
    data instanceof Int32Array ||
    data instanceof Uint8Array
  ) {
    return { data: data.slice() };
  }
  return {};
}

function zeroFeeds(
  model: ModelProto,
  view: GraphView,
  inputShapes: Readonly<Record<string, readonly number[]>>,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of view.inputNames) {
    const info = model.graph?.input.find((i) => i.name === name);
    const shape = inputShapes[name] ?? declaredShape(info?.type?.tensorType?.shape?.dim);
    if (shape === undefined) {
      throw new Error(
        `probeValueFacts: no shape for graph input "${name}" and its declared shape is not static`,
      );
    }
    feeds[name] = zeros(info?.type?.tensorType?.elemType ?? DataType.FLOAT, shape);
  }
  return feeds;
}

function declaredShape(dims: readonly { dimValue?: number }[] | undefined): number[] | undefined {
  if (dims === undefined || dims.some((d) => d.dimValue === undefined)) {
    return undefined;
  }
  return dims.map((d) => d.dimValue ?? 0);
}

function zeros(elementType: number, shape: readonly number[]): ort.Tensor {
  const count = shape.reduce((p, d) => p * d, 1);
  switch (elementType) {
    case DataType.INT64:
      return new ort.Tensor('int64', new BigInt64Array(count), shape);
    case DataType.INT32:
      return new ort.Tensor('int32', new Int32Array(count), shape);
    case DataType.DOUBLE:
      return new ort.Tensor('float64', new Float64Array(count), shape);
    case DataType.BOOL:
      return new ort.Tensor('bool', new Uint8Array(count), shape);
    case DataType.UINT8:
      return new ort.Tensor('uint8', new Uint8Array(count), shape);
    default:
      return new ort.Tensor('float32', new Float32Array(count), shape);
  }
}
