import type { AppServices } from '../../app.module';
import { ResponseTooLargeError } from '../../errors/response-too-large.error';
import {
  explainParametersSchema,
  type ExplainParameters,
} from '../../explain/explain-parameters.schema';
import { parseParameters } from '../../http/parameter.parser';
import type { JobAnswer, JobOptionValue } from '../../jobs/job.types';
import type { ExplainRequest, Explanation } from '../cnn-lens.messages';
import { runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestImages, requestModel } from '../rpc-inputs';
import { decodeNpy } from '../npy.decoder';
import { explanationInfo } from './explanation-info';

/**
 * Explain: the same 'explain' job and parameter rules as POST /v1/explain,
 * one job per image so that a batch spreads over the workers and every
 * image gets a PNG or a tensor of its own.
 */
export class ExplainRpc implements UnaryRpc<ExplainRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: ExplainRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const parameters = parseParameters(explainParametersSchema, queryOf(request));
    const model = requestModel(models, parameters.model, config.defaultModel);
    const images = requestImages(request.images, config.maxBatchImages);
    const options = jobOptions(parameters);

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
    const explanations = outcomes.map(({ jobId, answer }) => explanation(jobId, answer));
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

/** Parameters the transport consumes; the job never sees them. */
const TRANSPORT_PARAMETERS: ReadonlySet<string> = new Set(['model', 'async']);

/** A tensor answer is always asked for as .npy: it carries dtype and shape exactly. */
function jobOptions(parameters: ExplainParameters): Record<string, JobOptionValue> {
  const options: Record<string, JobOptionValue> = {};

  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && !TRANSPORT_PARAMETERS.has(name)) {
      options[name] = value;
    }
  }
  if (parameters.output === 'tensor') {
    options.format = 'npy';
  }
  return options;
}

function explanation(jobId: string, answer: JobAnswer): Explanation {
  if (answer.type === 'json') {
    return { json: JSON.stringify(answer.body), info: explanationInfo({}), job_id: jobId };
  }

  const info = explanationInfo(answer.metadata);
  if (answer.contentType === 'application/x-npy') {
    return { tensor: decodeNpy(answer.data), info, job_id: jobId };
  }
  return { png: answer.data, info, job_id: jobId };
}
