import type { JobAnswer } from '../jobs/job.types';
import type { ModelProto } from '../onnx/onnx.types';
import { composeSheet } from './chart-sheet';
import { histogramSpec, PANEL_HEIGHT, PANEL_WIDTH } from './histogram.chart';
import {
  chooseLayers,
  MAX_HISTOGRAM_CHART_LAYERS,
  type BatchNormMode,
  type HistogramLayerChoice,
  type IndexedLayer,
} from './histogram-layers';
import { formatIndexRuns } from './index-runs';
import { renderVegaLite } from './vega-chart.renderer';
import { weightHistogram, type WeightHistogram } from './weight-histogram';

export type { BatchNormMode } from './histogram-layers';

/** The largest answer a job may give, and the setting that says so (MAX_RESPONSE_BYTES, GRPC_MAX_MESSAGE_BYTES). */
export interface AnswerLimit {
  readonly bytes: number;
  readonly setting: string;
}

export interface HistogramRequest {
  readonly model: string;
  readonly layers: readonly string[];
  readonly bins: number;
  readonly batchNorm: BatchNormMode;
  readonly format: 'png' | 'json';
  /** A default JSON answer (no layers named) keeps the layers that fit in it, in graph order. */
  readonly answerLimit?: AnswerLimit;
}

export const BATCH_NORM_NOTES: Readonly<Record<BatchNormMode, string>> = {
  separate:
    'BatchNormalization layers are reported on their own: scale (gamma) and shift (beta); running mean and variance are statistics of the data, not weights, and are left out.',
  folded:
    'Each BatchNormalization that follows a Conv is folded into it as inference does: weight * gamma / sqrt(var + eps) per output channel, bias = beta + (bias - mean) * gamma / sqrt(var + eps); other BatchNormalization layers are reported on their own.',
};

interface LayerHistograms extends IndexedLayer {
  readonly histograms: readonly WeightHistogram[];
}

/**
 * Histograms of each layer's weights and biases from the initializers, as
 * JSON or a PNG sheet of charts. An answer to no named layer always comes:
 * when it cannot hold every layer (a chart's row limit, the answer's byte
 * limit for JSON) it says which layers it covers and which it left out.
 */
export async function histogramAnswer(
  model: ModelProto,
  request: HistogramRequest,
): Promise<JobAnswer> {
  const choice = chooseLayers(model, request);
  const computed = choice.chosen.map((chosen) => ({
    ...chosen,
    histograms: chosen.layer.parameters.map((p) => weightHistogram(p.data, request.bins)),
  }));

  if (request.format === 'json') {
    return { type: 'json', body: fittedJson(request, choice, computed) };
  }
  const omitted = choice.named ? 0 : choice.available.length - computed.length;
  return {
    type: 'binary',
    contentType: 'image/png',
    data: await histogramSheet(computed),
    metadata: {
      layers: computed.length,
      layers_total: choice.available.length,
      layer_indices: formatIndexRuns(computed.map((layer) => layer.index)),
      layers_omitted: omitted,
      ...(omitted === 0 ? {} : { omitted_note: chartOmissionNote(omitted, choice) }),
      bins: request.bins,
      batch_norm: request.batchNorm,
    },
  };
}

const chartOmissionNote = (omitted: number, choice: HistogramLayerChoice): string =>
  `${omitted} of ${choice.available.length} layers with weights left out: a chart draws at most ${MAX_HISTOGRAM_CHART_LAYERS}, spread evenly from the first layer to the last (layer_indices); name others with layers= (at most ${MAX_HISTOGRAM_CHART_LAYERS}), or ask for format=json, which lists every layer`;

const jsonOmissionNote = (omitted: number, total: number, limit: AnswerLimit): string =>
  `${omitted} of ${total} layers with weights left out: with them the answer would pass its limit of ${limit.bytes} bytes (${limit.setting}); name them with layers=, or ask for fewer bins`;

/**
 * The JSON answer; for no named layer under a byte limit, with the longest
 * run of layers from the first that fits, the others listed as omitted. Its
 * size for k layers is the envelope's (which lists the omitted) plus each
 * layer's JSON and the commas between them, exactly as the answer is encoded.
 */
function fittedJson(
  request: HistogramRequest,
  choice: HistogramLayerChoice,
  computed: readonly LayerHistograms[],
): unknown {
  const entries = computed.map(layerJson);
  const total = choice.available.length;
  const bodyOf = (kept: number, withLayers: boolean) => {
    const omitted = computed.slice(kept).map(({ layer }) => layer.layer);
    return {
      model: request.model,
      bins: request.bins,
      batchNorm: { mode: request.batchNorm, note: BATCH_NORM_NOTES[request.batchNorm] },
      layersTotal: total,
      omittedLayers: omitted,
      ...(omitted.length === 0 || request.answerLimit === undefined
        ? {}
        : { omittedNote: jsonOmissionNote(omitted.length, total, request.answerLimit) }),
      layers: withLayers ? entries.slice(0, kept) : [],
    };
  };
  const limit = request.answerLimit;
  if (choice.named || limit === undefined) {
    return bodyOf(entries.length, true);
  }

  const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
  const sizes = entries.map(bytes);
  const sizeOf = (kept: number): number =>
    bytes(bodyOf(kept, false)) +
    sizes.slice(0, kept).reduce((a, b) => a + b, 0) +
    Math.max(0, kept - 1);
  // sizeOf grows with kept (a layer's JSON is longer than its name in the omitted list): bisect
  let fits = 0;
  let over = entries.length + 1;
  while (over - fits > 1) {
    const middle = Math.floor((fits + over) / 2);
    if (sizeOf(middle) <= limit.bytes) {
      fits = middle;
    } else {
      over = middle;
    }
  }
  return bodyOf(fits, true);
}

function layerJson({ index, layer, histograms }: LayerHistograms) {
  return {
    index,
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
