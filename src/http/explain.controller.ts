import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { toJobOptions } from '../explain/explain-job-options';
import { type ExplainMethod, explainParametersSchema } from '../explain/explain-parameters.schema';
import { checkOptionsApply } from '../explain/option-applicability';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { ModelRepository } from '../models/model-repository';
import { prefersJsonTensor } from './accept-quality';
import { respondWithJob } from './job-responder';
import { parseParameters } from './parameter.parser';
import { readUpload } from './upload.reader';

/**
 * POST /gradcam, POST /cam and POST /v1/explain: the same parameters (query
 * or form fields) and one job kind; the first two only change the default method.
 */
@Controller()
export class ExplainController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
  ) {}

  @Post('gradcam')
  gradcam(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.explain(request, reply, 'gradcam');
  }

  @Post('cam')
  cam(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.explain(request, reply, 'cam');
  }

  @Post('v1/explain')
  explainAny(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.explain(request, reply, 'gradcam');
  }

  private async explain(
    request: FastifyRequest,
    reply: FastifyReply,
    defaultMethod: ExplainMethod,
  ) {
    const upload = await readUpload(request, this.config.maxBatchImages);
    // The path only changes the default method; unknown parameters are refused.
    const schema = explainParametersSchema
      .extend({ method: explainParametersSchema.shape.method.unwrap().default(defaultMethod) })
      .strict();
    const parameters = parseParameters(schema, request.query, upload.fields);
    const model = parameters.model ?? this.config.defaultModel;
    this.models.get(model);
    // Refused before the job, so that an async caller gets the 400 rather than a 202 and a failed
    // job. Not `layer`: an unknown layer is LAYER_NOT_FOUND whatever the method, which takes the graph.
    checkOptionsApply({ ...parameters, layer: undefined });

    // Only a tensor's encoding is negotiated: pictures stay PNG unless format=json is given.
    const wantsJson =
      parameters.format === undefined &&
      parameters.output === 'tensor' &&
      prefersJsonTensor(request.headers.accept);
    const options = toJobOptions(wantsJson ? { ...parameters, format: 'json' } : parameters);
    return respondWithJob(
      reply,
      this.jobs,
      { kind: 'explain', model, images: upload.images, options, async: parameters.async },
      this.config.requestTimeoutMs,
    );
  }
}
