import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import type { ModelDescriptor } from '../models/model-descriptor';
import { ModelRepository } from '../models/model-repository';
import { resolveFeatureMapLayer } from '../visualize/feature-map.layers';
import {
  featureMapJobOptions,
  featureMapParameters,
  histogramJobOptions,
  histogramParameters,
  kernelJobOptions,
  kernelParameters,
  predictionImageParameters,
} from '../visualize/view-parameters.schema';
import { respondWithJob } from './job-responder';
import { parseParameters } from './parameter.parser';
import { booleanParameter } from './parameter.schemas';
import { readUpload } from './upload.reader';

// Strict over HTTP: a parameter these endpoints do not have is refused, not ignored.
const withAsync = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) =>
  schema.extend({ async: booleanParameter.default(false) }).strict();

const featureMapRequest = withAsync(featureMapParameters);
const kernelRequest = withAsync(kernelParameters);
const histogramRequest = withAsync(histogramParameters);
const predictionImageRequest = withAsync(predictionImageParameters);

/**
 * Names that are not spatial layers are refused before a job is queued, with
 * the parameter that held them (`layer` or `layers`).
 */
function checkFeatureMapLayers(
  descriptor: ModelDescriptor,
  p: { readonly layer?: readonly string[]; readonly layers?: readonly string[] },
): void {
  for (const parameter of ['layer', 'layers'] as const) {
    for (const name of p[parameter] ?? []) {
      resolveFeatureMapLayer(descriptor.layers, name, descriptor.values, parameter);
    }
  }
}

/** After-training views: feature maps, kernels, weight histograms and the prediction image. */
@Controller('v1/models')
export class VisualizeController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ModelRepository) private readonly models: ModelRepository,
    @Inject(JOB_RUNNER) private readonly jobs: JobRunner,
  ) {}

  @Post(':name/feature-maps')
  async featureMaps(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { descriptor } = this.models.get(name);
    const upload = await readUpload(request, 1);
    const p = parseParameters(featureMapRequest, request.query, upload.fields);
    checkFeatureMapLayers(descriptor, p);
    const options = featureMapJobOptions(p);

    return respondWithJob(
      reply,
      this.jobs,
      { kind: 'feature-maps', model: name, images: upload.images, options, async: p.async },
      this.config.requestTimeoutMs,
    );
  }

  @Get(':name/kernels')
  async kernels(@Param('name') name: string, @Query() query: unknown, @Res() reply: FastifyReply) {
    this.models.get(name);
    const p = parseParameters(kernelRequest, query);

    return respondWithJob(
      reply,
      this.jobs,
      { kind: 'kernels', model: name, images: [], options: kernelJobOptions(p), async: p.async },
      this.config.requestTimeoutMs,
    );
  }

  @Get(':name/histograms')
  async histograms(
    @Param('name') name: string,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    this.models.get(name);
    const p = parseParameters(histogramRequest, query);

    return respondWithJob(
      reply,
      this.jobs,
      {
        kind: 'histograms',
        model: name,
        images: [],
        options: histogramJobOptions(p),
        async: p.async,
      },
      this.config.requestTimeoutMs,
    );
  }

  @Post(':name/prediction-image')
  async predictionImage(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    this.models.get(name);
    const upload = await readUpload(request, 1);
    const p = parseParameters(predictionImageRequest, request.query, upload.fields);

    return respondWithJob(
      reply,
      this.jobs,
      {
        kind: 'prediction-image',
        model: name,
        images: upload.images,
        options: { top_k: p.top_k },
        async: p.async,
      },
      this.config.requestTimeoutMs,
    );
  }
}
