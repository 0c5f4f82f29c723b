import { GraphView } from '../onnx/graph.view';
import type { ModelProto, NodeProto, TensorProto } from '../onnx/onnx.types';

/** What a parameter tensor is to its layer. */
export type ParameterRole = 'weight' | 'bias' | 'scale' | 'shift' | 'slope';

export interface LayerParameter {
  readonly role: ParameterRole;
  /** Initializer (or Constant) name; for folded tensors, the conv's weight name with a suffix. */
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface WeightedLayer {
  /** Node name, or its first output when the node is unnamed. */
  readonly layer: string;
  readonly value: string;
  readonly opType: string;
  readonly parameters: readonly LayerParameter[];
  /** The batch normalisation folded into this layer, when folding was asked for. */
  readonly foldedBatchNorm?: string;
}

/** Which inputs of an operator are trained parameters, by input position. */
const PARAMETER_INPUTS: Readonly<Record<string, readonly (readonly [number, ParameterRole])[]>> = {
  Conv: [
    [1, 'weight'],
    [2, 'bias'],
  ],
  ConvTranspose: [
    [1, 'weight'],
    [2, 'bias'],
  ],
  Gemm: [
    [1, 'weight'],
    [2, 'bias'],
  ],
  MatMul: [[1, 'weight']],
  // Running mean and variance are statistics of the data, not trained weights: left out.
  BatchNormalization: [
    [1, 'scale'],
    [2, 'shift'],
  ],
  InstanceNormalization: [
    [1, 'scale'],
    [2, 'shift'],
  ],
  LayerNormalization: [
    [1, 'scale'],
    [2, 'shift'],
  ],
  PRelu: [[1, 'slope']],
};

/** Layers that hold trained parameters, in graph order, with their float parameter tensors. */
export function weightedLayers(model: ModelProto): WeightedLayer[] {
  const view = new GraphView(model);
  return view.nodes.flatMap((node) => {
    const parameters = nodeParameters(view, node);
    return parameters.length === 0 ? [] : [layerOf(node, parameters)];
  });
}

/** The name callers use for a layer: its node name, or its first output when unnamed. */
export const layerName = (node: NodeProto): string =>
  node.name !== undefined && node.name !== '' ? node.name : (node.output[0] ?? '');

function layerOf(node: NodeProto, parameters: LayerParameter[]): WeightedLayer {
  return {
    layer: layerName(node),
    value: node.output[0] ?? '',
    opType: node.opType ?? '',
    parameters,
  };
}

function nodeParameters(view: GraphView, node: NodeProto): LayerParameter[] {
  const roles = PARAMETER_INPUTS[node.opType ?? ''] ?? [];
  return roles.flatMap(([position, role]) => {
    const name = node.input[position] ?? '';
    const parameter = name === '' ? undefined : floatConstant(view, name, role);
    return parameter === undefined ? [] : [parameter];
  });
}

/** A float initializer or Constant as a parameter; undefined for computed inputs (not weights). */
export function floatConstant(
  view: GraphView,
  name: string,
  role: ParameterRole,
): LayerParameter | undefined {
  const data = view.constant(name);
  if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
    return undefined;
  }
  const tensor = view.initializer(name) ?? constantTensor(view, name);
  const dims = tensor?.dims ?? [data.length];
  return {
    role,
    name,
    dims: [...dims],
    data: data instanceof Float32Array ? data : Float32Array.from(data),
  };
}

const constantTensor = (view: GraphView, name: string): TensorProto | undefined =>
  view.producer(name)?.node.attribute.find((attribute) => attribute.name === 'value')?.t;
