import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { featureMapJobOptions, featureMapParameters } from '../../visualize/view-parameters.schema';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImage, requestModel } from '../rpc-inputs';
import { asQuery } from './request-query';
import { restFormat, viewResponse, type FeatureMapsRequest } from './view-messages';

/** FeatureMaps: the same 'feature-maps' job as POST /v1/models/{name}/feature-maps; format=tensor gives the activations of the channels order and limit keep. */
export class FeatureMapsRpc implements UnaryRpc<FeatureMapsRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: FeatureMapsRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const model = requestModel(models, request.model, config.defaultModel);
    const images = requestImage(request.image, 'image', config.maxUploadBytes);
    const format = restFormat(request.format, 'json');
    const p = parseParameters(
      featureMapParameters,
      asQuery({ ...request, format }, ['image', 'model']),
    );
    // gRPC asks for JSON only as its format=tensor, and refusals name what it asked
    const options = featureMapJobOptions(p, format === 'json' ? 'tensor' : p.format);

    const { jobId, answer } = await runJobForCall(
      jobs,
      call,
      { kind: 'feature-maps', model, images, options },
      jobCallLimits(config),
      logger,
    );
    return viewResponse(answer, jobId);
  }
}
