import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { BATCH_NORM_NOTES } from '../../visualize/histogram.view';
import { parseIndexRuns } from '../../visualize/index-runs';
import { histogramJobOptions, histogramParameters } from '../../visualize/view-parameters.schema';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestModel } from '../rpc-inputs';
import { asQuery } from './request-query';
import { type HistogramsRequest } from './view-messages';

interface HistogramJson {
  readonly batchNorm: { readonly mode: string; readonly note: string };
  readonly layersTotal: number;
  readonly omittedLayers: readonly string[];
  readonly omittedNote?: string;
  readonly layers: readonly {
    readonly index: number;
    readonly layer: string;
    readonly value: string;
    readonly opType: string;
    readonly foldedBatchNorm?: string;
    readonly parameters: readonly ({ readonly binEdges: number[] } & Record<string, unknown>)[];
  }[];
}

/** Histograms: the same 'histograms' job as GET /v1/models/{name}/histograms. */
export class HistogramsRpc implements UnaryRpc<HistogramsRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: HistogramsRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const model = requestModel(models, request.model, config.defaultModel);
    const p = parseParameters(histogramParameters, asQuery(request, ['model']));

    const { answer } = await runJobForCall(
      jobs,
      call,
      { kind: 'histograms', model, images: [], options: histogramJobOptions(p) },
      jobCallLimits(config),
      logger,
    );

    if (answer.type === 'binary') {
      const { metadata } = answer;
      return {
        png: answer.data,
        layers: [],
        batch_norm: p.batch_norm,
        batch_norm_note: BATCH_NORM_NOTES[p.batch_norm],
        layers_total: Number(metadata.layers_total),
        layer_indices: parseIndexRuns(String(metadata.layer_indices)),
        layers_omitted: Number(metadata.layers_omitted),
        omitted_note: String(metadata.omitted_note ?? ''),
      };
    }
    const body = answer.body as HistogramJson;
    return {
      layers: body.layers.map((layer) => ({
        index: layer.index,
        layer: layer.layer,
        value: layer.value,
        op_type: layer.opType,
        folded_batch_norm: layer.foldedBatchNorm ?? '',
        parameters: layer.parameters.map(({ binEdges, ...rest }) => ({
          ...rest,
          bin_edges: binEdges,
        })),
      })),
      batch_norm: body.batchNorm.mode,
      batch_norm_note: body.batchNorm.note,
      layers_total: body.layersTotal,
      layer_indices: body.layers.map((layer) => layer.index),
      layers_omitted: body.omittedLayers.length,
      omitted_note: body.omittedNote ?? '',
    };
  }
}
