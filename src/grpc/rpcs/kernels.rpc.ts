import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { kernelAnswer } from '../../visualize/kernel.view';
import { ModelGraphCache } from '../../visualize/model-graph.cache';
import { kernelParameters } from '../../visualize/view-parameters.schema';
import type { UnaryRpc } from '../rpc-call';
import { requestModel } from '../rpc-inputs';
import { asQuery, viewResponse, type KernelsRequest } from './view-messages';

/** Kernels: GET /v1/models/{name}/kernels; read from the initializers, no job; format=tensor gives the weights as stored. */
export class KernelsRpc implements UnaryRpc<KernelsRequest> {
  constructor(
    private readonly services: AppServices,
    private readonly graphs = new ModelGraphCache(),
  ) {}

  async handle(request: KernelsRequest) {
    const { config, models } = this.services;
    const name = requestModel(models, request.model, config.defaultModel);
    const loaded = models.get(name);
    const format = request.format === 'tensor' ? 'npy' : request.format;
    const p = parseParameters(kernelParameters, asQuery({ ...request, format }, ['model']));

    const answer = await kernelAnswer(this.graphs.get(loaded), {
      model: name,
      format: p.format,
      tile: p.tile,
      channelOrder: loaded.descriptor.input.channelOrder,
      ...(p.layer === undefined ? {} : { layer: p.layer }),
      ...(p.out_limit === undefined ? {} : { outLimit: p.out_limit }),
      ...(p.in_limit === undefined ? {} : { inLimit: p.in_limit }),
    });
    return viewResponse(answer);
  }
}
