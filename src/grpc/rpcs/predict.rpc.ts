import { z } from 'zod';

import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { integerParameter } from '../../http/parameter.schemas';
import type { PredictRequest } from '../cnn-lens.messages';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImages, requestModel } from '../rpc-inputs';

const predictParameters = z.object({
  top_k: integerParameter(1, 1000).default(5),
});

interface PredictBody {
  readonly model: string;
  readonly outputKind: string;
  readonly softmaxApplied: boolean;
  readonly predictions: readonly {
    readonly width: number;
    readonly height: number;
    readonly top: readonly {
      readonly index: number;
      readonly label: string;
      readonly probability: number;
    }[];
  }[];
}

/** Predict: the same 'predict' job as POST /v1/models/{name}/predict. */
export class PredictRpc implements UnaryRpc<PredictRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: PredictRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const model = requestModel(models, request.model, config.defaultModel);
    const images = requestImages(request.images, 'images', {
      maxImages: config.maxBatchImages,
      maxBytes: config.maxUploadBytes,
    });
    const parameters = parseParameters(predictParameters, { top_k: request.top_k });

    const { jobId, answer } = await runJobForCall(
      jobs,
      call,
      { kind: 'predict', model, images, options: { top_k: parameters.top_k } },
      jobCallLimits(config),
      logger,
    );
    const body = (answer.type === 'json' ? answer.body : {}) as PredictBody;

    return {
      model: body.model,
      output_kind: body.outputKind,
      softmax_applied: body.softmaxApplied,
      predictions: body.predictions,
      job_id: jobId,
    };
  }
}
