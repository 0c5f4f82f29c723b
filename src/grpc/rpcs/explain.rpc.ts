import type { AppServices } from '../../app.module';
import { toJobOptions } from '../../explain/explain-job-options';
import { explainParametersSchema } from '../../explain/explain-parameters.schema';
import { checkOptionsApply } from '../../explain/option-applicability';
import { parseParameters } from '../../http/parameter.parser';
import type { ExplainRequest } from '../cnn-lens.messages';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImages, requestModel } from '../rpc-inputs';
import { explanationsOf } from './explanation.mapper';
import { asQuery } from './request-query';

/**
 * Explain: the same 'explain' job and parameter rules as POST /v1/explain,
 * one job per image so that a batch spreads over the workers and every
 * image (and target) gets a PNG or a tensor of its own; tensors are asked
 * for as .npy, which carries dtype and shape exactly.
 */
export class ExplainRpc implements UnaryRpc<ExplainRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: ExplainRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const parameters = parseParameters(explainParametersSchema, asQuery(request, ['images']));
    const model = requestModel(models, parameters.model, config.defaultModel);
    // Refused before the job, so that an async caller gets the 400 rather than a 202 and a failed
    // job. Not `layer`: an unknown layer is LAYER_NOT_FOUND whatever the method, which takes the graph.
    checkOptionsApply({ ...parameters, layer: undefined });
    const images = requestImages(request.images, 'images', {
      maxImages: config.maxBatchImages,
      maxBytes: config.maxUploadBytes,
    });
    const options = toJobOptions(
      parameters.output === 'tensor' ? { ...parameters, format: 'npy' } : parameters,
    );

    // the reply carries every image's maps: each job may fill its share of it
    const limits = jobCallLimits(config, images.length);
    const outcomes = await Promise.all(
      images.map((image) =>
        runJobForCall(
          jobs,
          call,
          { kind: 'explain', model, images: [image], options },
          limits,
          logger,
        ),
      ),
    );
    const explanations = outcomes.flatMap(({ jobId, answer }, image) =>
      explanationsOf(jobId, image, answer),
    );
    return { explanations };
  }
}
