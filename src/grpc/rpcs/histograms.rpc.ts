import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { histogramAnswer } from '../../visualize/histogram.view';
import { ModelGraphCache } from '../../visualize/model-graph.cache';
import { histogramParameters } from '../../visualize/view-parameters.schema';
import type { UnaryRpc } from '../rpc-call';
import { requestModel } from '../rpc-inputs';
import { asQuery, type HistogramsRequest } from './view-messages';

interface HistogramJson {
  readonly batchNorm: { readonly mode: string; readonly note: string };
  readonly layers: readonly {
    readonly layer: string;
    readonly value: string;
    readonly opType: string;
    readonly foldedBatchNorm?: string;
    readonly parameters: readonly ({ readonly binEdges: number[] } & Record<string, unknown>)[];
  }[];
}

/** Histograms: GET /v1/models/{name}/histograms; read from the initializers, no job. */
export class HistogramsRpc implements UnaryRpc<HistogramsRequest> {
  constructor(
    private readonly services: AppServices,
    private readonly graphs = new ModelGraphCache(),
  ) {}

  async handle(request: HistogramsRequest) {
    const { config, models } = this.services;
    const name = requestModel(models, request.model, config.defaultModel);
    const p = parseParameters(histogramParameters, asQuery(request, ['model']));
    const answer = await histogramAnswer(this.graphs.get(models.get(name)), {
      model: name,
      layers: [...(p.layer ?? []), ...(p.layers ?? [])],
      bins: p.bins,
      batchNorm: p.batch_norm,
      format: p.format,
    });

    if (answer.type === 'binary') {
      return { png: answer.data, layers: [], batch_norm: p.batch_norm, batch_norm_note: '' };
    }
    const body = answer.body as HistogramJson;
    return {
      layers: body.layers.map((layer) => ({
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
    };
  }
}
