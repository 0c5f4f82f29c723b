import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import type { JobAnswer } from '../jobs/job.types';
import type { ModelProto } from '../onnx/onnx.types';
import { foldBatchNorms } from './batch-norm.folding';
import { composeSheet } from './chart-sheet';
import { histogramSpec, PANEL_HEIGHT, PANEL_WIDTH } from './histogram.chart';
import { renderVegaLite } from './vega-chart.renderer';
import { weightHistogram, type WeightHistogram } from './weight-histogram';
import { weightedLayers, type WeightedLayer } from './weighted-layers';

/** Most layers one histogram answer covers (a PNG row each). */
export const MAX_HISTOGRAM_LAYERS = 32;

export type BatchNormMode = 'separate' | 'folded';

export interface HistogramRequest {
  readonly model: string;
  readonly layers: readonly string[];
  readonly bins: number;
  readonly batchNorm: BatchNormMode;
  readonly format: 'png' | 'json';
}

export const BATCH_NORM_NOTES: Readonly<Record<BatchNormMode, string>> = {
  separate:
    'BatchNormalization layers are reported on their own: scale (gamma) and shift (beta); running mean and variance are statistics of the data, not weights, and are left out.',
  folded:
    'Each BatchNormalization that follows a Conv is folded into it as inference does: weight * gamma / sqrt(var + eps) per output channel, bias = beta + (bias - mean) * gamma / sqrt(var + eps); other BatchNormalization layers are reported on their own.',
};

interface LayerHistograms {
  readonly layer: WeightedLayer;
  readonly histograms: readonly WeightHistogram[];
}

/** Histograms of each layer's weights and biases from the initializers, as JSON or a PNG sheet of charts. */
export async function histogramAnswer(
  model: ModelProto,
  request: HistogramRequest,
): Promise<JobAnswer> {
  const chosen = chooseLayers(model, request);
  const computed = chosen.map((layer) => ({
    layer,
    histograms: layer.parameters.map((parameter) => weightHistogram(parameter.data, request.bins)),
  }));

  if (request.format === 'json') {
    return { type: 'json', body: histogramJson(request, computed) };
  }
  return {
    type: 'binary',
    contentType: 'image/png',
    data: await histogramSheet(computed),
    metadata: { layers: chosen.length, bins: request.bins, batch_norm: request.batchNorm },
  };
}

/** The layers asked for (node name, output value or parameter name), all of them when none is named. */
export function chooseLayers(
  model: ModelProto,
  request: Pick<HistogramRequest, 'layers' | 'batchNorm'>,
): WeightedLayer[] {
  const all = weightedLayers(model);
  const available = request.batchNorm === 'folded' ? foldBatchNorms(model, all) : all;
  const named = [...new Set(request.layers)];
  const chosen =
    named.length === 0
      ? available
      : named.map((name) => {
          const found = available.find(
            (layer) =>
              layer.layer === name ||
              layer.value === name ||
              layer.parameters.some((p) => p.name === name),
          );
          if (found === undefined) {
            throw new LayerNotFoundError(
              name,
              available.map((layer) => layer.layer),
              'layers',
            );
          }
          return found;
        });

  if (chosen.length > MAX_HISTOGRAM_LAYERS) {
    throw new ViewLimitExceededError(
      'layers',
      MAX_HISTOGRAM_LAYERS,
      chosen.length,
      'layers per histogram answer',
    );
  }
  return chosen;
}

function histogramJson(request: HistogramRequest, computed: readonly LayerHistograms[]): unknown {
  return {
    model: request.model,
    bins: request.bins,
    batchNorm: { mode: request.batchNorm, note: BATCH_NORM_NOTES[request.batchNorm] },
    layers: computed.map(({ layer, histograms }) => ({
      layer: layer.layer,
      value: layer.value,
      opType: layer.opType,
      ...(layer.foldedBatchNorm === undefined ? {} : { foldedBatchNorm: layer.foldedBatchNorm }),
      parameters: layer.parameters.map((parameter, i) => ({
        role: parameter.role,
        name: parameter.name,
        shape: parameter.dims,
        ...histograms[i],
      })),
    })),
  };
}

async function histogramSheet(computed: readonly LayerHistograms[]): Promise<Buffer> {
  const rows = [];
  for (const { layer, histograms } of computed) {
    const row = [];
    for (const [i, parameter] of layer.parameters.entries()) {
      const spec = histogramSpec({
        title: parameter.name,
        context: `${layer.opType} ${parameter.role} ${parameter.dims.join('x')}`,
        histogram: histograms[i],
      });
      row.push(await renderVegaLite(spec));
    }
    rows.push(row);
  }
  return composeSheet(rows, PANEL_WIDTH, PANEL_HEIGHT);
}
