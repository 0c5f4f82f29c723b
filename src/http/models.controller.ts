import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { executionProviderReport } from '../models/execution-provider.report';
import type { ModelDescriptor } from '../models/model-descriptor';
import { ModelRepository } from '../models/model-repository';
import { respondWithJob } from './job-responder';
import { parseParameters } from './parameter.parser';
import { booleanParameter, integerParameter } from './parameter.schemas';
import { readUpload } from './upload.reader';

const predictParameters = z
  .object({
    top_k: integerParameter(1, 1000).default(5),
    async: booleanParameter.default(false),
  })
  // A parameter predict does not have is refused, not ignored.
  .strict();

function summary(descriptor: ModelDescriptor) {
  return {
    name: descriptor.name,
    status: 'ready' as const,
    description: descriptor.description,
    input: descriptor.input,
    outputKind: descriptor.outputKind,
    labelCount: descriptor.labels.length,
    ...executionProviderReport(descriptor),
    defaultLayer: descriptor.defaultLayer,
  };
}

@Controller('v1/models')
export class ModelsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
  ) {}

  @Get()
  list() {
    return {
      defaultModel: this.config.defaultModel,
      models: this.models.list().map((entry) =>
        entry.status === 'ready'
          ? summary(entry.descriptor)
          : {
              name: entry.name,
              status: entry.status,
              error: { code: entry.code, message: entry.reason },
            },
      ),
    };
  }

  @Get(':name')
  describe(@Param('name') name: string) {
    const { descriptor } = this.models.get(name);

    return {
      ...summary(descriptor),
      inputs: descriptor.inputs,
      outputs: descriptor.outputs,
      output: descriptor.output,
      labels: descriptor.labels,
      specSource: descriptor.specSource,
      layers: descriptor.layers,
    };
  }

  @Post(':name/predict')
  async predict(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    this.models.get(name);
    const upload = await readUpload(request, this.config.maxBatchImages);
    const parameters = parseParameters(predictParameters, request.query, upload.fields);

    return respondWithJob(
      reply,
      this.jobs,
      {
        kind: 'predict',
        model: name,
        images: upload.images,
        options: { top_k: parameters.top_k },
        async: parameters.async,
      },
      this.config.requestTimeoutMs,
    );
  }
}
