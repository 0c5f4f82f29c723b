import type { AppServices } from '../../app.module';
import { ResponseTooLargeError } from '../../errors/response-too-large.error';
import { toJobOptions } from '../../explain/explain-job-options';
import { explainParametersSchema } from '../../explain/explain-parameters.schema';
import { parseParameters } from '../../http/parameter.parser';
import type { ExplainRequest, Explanation } from '../cnn-lens.messages';
import { runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImages, requestModel } from '../rpc-inputs';
import { explanationsOf } from './explanation.mapper';

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
    const parameters = parseParameters(explainParametersSchema, queryOf(request));
    const model = requestModel(models, parameters.model, config.defaultModel);
    const images = requestImages(request.images, config.maxBatchImages);
    const options = toJobOptions(
      parameters.output === 'tensor' ? { ...parameters, format: 'npy' } : parameters,
    );

    const outcomes = await Promise.all(
      images.map((image) =>
        runJobForCall(
          jobs,
          call,
          { kind: 'explain', model, images: [image], options },
          config.requestTimeoutMs,
          logger,
        ),
      ),
    );
    const explanations = outcomes.flatMap(({ jobId, answer }, image) =>
      explanationsOf(jobId, image, answer),
    );
    refuseOversized(explanations, config.grpcMaxMessageBytes);
    return { explanations };
  }
}

/** Fails with a message naming the setting, rather than grpc-js's generic refusal at send time. */
function refuseOversized(explanations: readonly Explanation[], limit: number): void {
  const bytes = explanations.reduce(
    (sum, item) =>
      sum + (item.png?.length ?? 0) + (item.tensor?.data.length ?? 0) + (item.json?.length ?? 0),
    0,
  );
  if (bytes > limit) {
    throw new ResponseTooLargeError(bytes, limit, 'GRPC_MAX_MESSAGE_BYTES');
  }
}

/** The request as the query string of POST /v1/explain would carry it: absent and empty fields take the defaults. */
function queryOf(request: ExplainRequest): Record<string, string> {
  const query: Record<string, string> = {};

  for (const [name, value] of Object.entries(request)) {
    if (name !== 'images' && value !== undefined && value !== null && value !== '') {
      query[name] = String(value);
    }
  }
  return query;
}
