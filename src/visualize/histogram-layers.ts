import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import type { ModelProto } from '../onnx/onnx.types';
import { foldBatchNorms } from './batch-norm.folding';
import { weightedLayers, type WeightedLayer } from './weighted-layers';

/** Most layers one histogram chart draws (a row of panels each). */
export const MAX_HISTOGRAM_CHART_LAYERS = 32;

export type BatchNormMode = 'separate' | 'folded';

/** A layer with weights and its position among the model's layers with weights, in graph order. */
export interface IndexedLayer {
  readonly index: number;
  readonly layer: WeightedLayer;
}

export interface HistogramLayerChoice {
  /** Every layer with weights, in graph order (each batch norm folded into its Conv when asked). */
  readonly available: readonly WeightedLayer[];
  /** The layers the answer covers: in the order named, or in graph order. */
  readonly chosen: readonly IndexedLayer[];
  /** The caller named them: a named list is answered whole or refused, never cut. */
  readonly named: boolean;
}

export interface HistogramLayerRequest {
  readonly layers: readonly string[];
  readonly batchNorm: BatchNormMode;
  readonly format: 'png' | 'json';
}

/**
 * The layers a histogram answer covers. Named (node name, output value or
 * parameter name): those, each once, in the order first named; a chart
 * refuses more than MAX_HISTOGRAM_CHART_LAYERS, JSON takes any number. None
 * named: every layer in JSON; in a chart, every layer up to the chart's
 * limit, else that many spread evenly from the first layer to the last.
 * @throws LayerNotFoundError for a name no layer with weights has, ViewLimitExceededError
 */
export function chooseLayers(
  model: ModelProto,
  request: HistogramLayerRequest,
): HistogramLayerChoice {
  const all = weightedLayers(model);
  const available = request.batchNorm === 'folded' ? foldBatchNorms(model, all) : all;
  const indexed = available.map((layer, index) => ({ index, layer }));

  if (request.layers.length === 0) {
    const drawn = new Set(spreadEvenly(available.length, MAX_HISTOGRAM_CHART_LAYERS));
    const chosen =
      request.format === 'png' ? indexed.filter(({ index }) => drawn.has(index)) : indexed;
    return { available, chosen, named: false };
  }

  const chosen = new Map<number, IndexedLayer>();
  for (const name of request.layers) {
    const found = indexed.find(({ layer }) => isNamed(layer, name));
    if (found === undefined) {
      throw new LayerNotFoundError(
        name,
        available.map((layer) => layer.layer),
        'layers',
      );
    }
    chosen.set(found.index, chosen.get(found.index) ?? found);
  }
  if (request.format === 'png' && chosen.size > MAX_HISTOGRAM_CHART_LAYERS) {
    throw new ViewLimitExceededError(
      'layers',
      MAX_HISTOGRAM_CHART_LAYERS,
      chosen.size,
      'layers per histogram chart (a row each)',
      `name at most ${MAX_HISTOGRAM_CHART_LAYERS} in each request, or ask for format=json, which takes any number`,
    );
  }
  return { available, chosen: [...chosen.values()], named: true };
}

const isNamed = (layer: WeightedLayer, name: string): boolean =>
  layer.layer === name || layer.value === name || layer.parameters.some((p) => p.name === name);

/**
 * `count` of the positions 0..total-1, spread evenly from the first to the
 * last: round(i * (total - 1) / (count - 1)) for i = 0..count-1; all of them
 * when there are no more than `count`. The step is over 1, so none repeats.
 */
export function spreadEvenly(total: number, count: number): number[] {
  if (total <= count) {
    return Array.from({ length: total }, (_, i) => i);
  }
  if (count <= 1) {
    return count === 1 ? [0] : [];
  }
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}
