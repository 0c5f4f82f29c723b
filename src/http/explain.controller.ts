import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { toJobOptions } from '../explain/explain-job-options';
import { type ExplainMethod, explainParametersSchema } from '../explain/explain-parameters.schema';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { ModelRepository } from '../models/model-repository';
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
    const query = typeof request.query === 'object' && request.query !== null ? request.query : {};
    const given = { ...query, ...upload.fields } as Record<string, unknown>;
    const parameters = parseParameters(explainParametersSchema, {
      method: defaultMethod,
      ...given,
    });
    const model = parameters.model ?? this.config.defaultModel;
    this.models.get(model);

    const wantsJson = parameters.format === undefined && acceptsJsonOnly(request.headers.accept);
    const options = toJobOptions(wantsJson ? { ...parameters, format: 'json' } : parameters);
    return respondWithJob(
      reply,
      this.jobs,
      { kind: 'explain', model, images: upload.images, options, async: parameters.async },
      this.config.requestTimeoutMs,
    );
  }
}

/** Accept names application/json and no image or .npy type (a browser's Accept still gets the PNG). */
function acceptsJsonOnly(accept: string | undefined): boolean {
  if (accept === undefined) {
    return false;
  }
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase() ?? '');
  return (
    types.includes('application/json') &&
    !types.some((t) => t.startsWith('image/') || t === 'application/x-npy')
  );
}
