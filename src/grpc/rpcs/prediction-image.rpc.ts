import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { predictionImageParameters } from '../../visualize/view-parameters.schema';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImage, requestModel } from '../rpc-inputs';
import { asQuery } from './request-query';
import { viewResponse, type PredictionImageRequest } from './view-messages';

/** PredictionImage: the same 'prediction-image' job as POST /v1/models/{name}/prediction-image. */
export class PredictionImageRpc implements UnaryRpc<PredictionImageRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: PredictionImageRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const model = requestModel(models, request.model, config.defaultModel);
    const images = requestImage(request.image, 'image', config.maxUploadBytes);
    const parameters = parseParameters(
      predictionImageParameters,
      asQuery(request, ['image', 'model']),
    );

    const { jobId, answer } = await runJobForCall(
      jobs,
      call,
      { kind: 'prediction-image', model, images, options: { top_k: parameters.top_k } },
      jobCallLimits(config),
      logger,
    );
    return viewResponse(answer, jobId);
  }
}
