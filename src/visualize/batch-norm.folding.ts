import { GraphView } from '../onnx/graph.view';
import type { ModelProto, NodeProto } from '../onnx/onnx.types';
import {
  floatConstant,
  layerName,
  type LayerParameter,
  type WeightedLayer,
} from './weighted-layers';

const DEFAULT_EPSILON = 1e-5;

interface BatchNormFactors {
  readonly node: string;
  /** gamma / sqrt(var + eps), per channel. */
  readonly factor: Float64Array;
  /** beta - mean * factor, per channel. */
  readonly offset: Float64Array;
}

/**
 * Folds each BatchNormalization that alone consumes a Conv's output into that
 * Conv, as inference does: w' = w * gamma / sqrt(var + eps) per output channel,
 * b' = beta + (b - mean) * gamma / sqrt(var + eps). Folded BN layers disappear;
 * the others stay as they are.
 */
export function foldBatchNorms(
  model: ModelProto,
  layers: readonly WeightedLayer[],
): WeightedLayer[] {
  const view = new GraphView(model);
  const folded = new Map<string, BatchNormFactors>();

  for (const node of view.nodes) {
    const conv = foldableConv(view, node);
    const factors = conv === undefined ? undefined : batchNormFactors(view, node);
    if (conv !== undefined && factors !== undefined) {
      folded.set(layerName(conv), factors);
    }
  }

  const foldedNodes = new Set([...folded.values()].map((f) => f.node));
  return layers
    .filter((layer) => !foldedNodes.has(layer.layer))
    .map((layer) => {
      const factors = folded.get(layer.layer);
      return factors === undefined ? layer : foldInto(layer, factors);
    });
}

function foldableConv(view: GraphView, node: NodeProto): NodeProto | undefined {
  if (node.opType !== 'BatchNormalization') {
    return undefined;
  }
  const input = node.input[0] ?? '';
  const producer = view.producer(input)?.node;
  const alone = view.consumers(input).length === 1 && !view.outputNames.includes(input);
  return producer?.opType === 'Conv' && alone ? producer : undefined;
}

function batchNormFactors(view: GraphView, node: NodeProto): BatchNormFactors | undefined {
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
    floatConstant(view, node.input[i] ?? '', 'scale'),
  );
  if (gamma === undefined || beta === undefined || mean === undefined || variance === undefined) {
    return undefined;
  }
  const epsilon = node.attribute.find((a) => a.name === 'epsilon')?.f ?? DEFAULT_EPSILON;
  const channels = gamma.data.length;
  const factor = new Float64Array(channels);
  const offset = new Float64Array(channels);

  for (let c = 0; c < channels; c++) {
    factor[c] = (gamma.data[c] ?? 0) / Math.sqrt((variance.data[c] ?? 0) + epsilon);
    offset[c] = (beta.data[c] ?? 0) - (mean.data[c] ?? 0) * (factor[c] ?? 0);
  }
  return { node: layerName(node), factor, offset };
}

function foldInto(layer: WeightedLayer, factors: BatchNormFactors): WeightedLayer {
  const weight = layer.parameters.find((p) => p.role === 'weight');
  if (weight === undefined) {
    return layer;
  }
  const bias = layer.parameters.find((p) => p.role === 'bias');
  const channels = factors.factor.length;
  const perChannel = weight.data.length / channels;

  const foldedWeight = weight.data.map(
    (w, i) => w * (factors.factor[Math.floor(i / perChannel)] ?? 0),
  );
  const foldedBias = Float32Array.from(
    { length: channels },
    (_, c) => (factors.offset[c] ?? 0) + (bias?.data[c] ?? 0) * (factors.factor[c] ?? 0),
  );

  const parameters: LayerParameter[] = [
    { ...weight, name: `${weight.name} (BN folded)`, data: foldedWeight },
    {
      role: 'bias',
      name: `${bias?.name ?? weight.name.replace(/weight$/, 'bias')} (BN folded)`,
      dims: [channels],
      data: foldedBias,
    },
  ];
  return { ...layer, parameters, foldedBatchNorm: factors.node };
}
