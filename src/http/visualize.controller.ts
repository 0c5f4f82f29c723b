import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { JOB_RUNNER, type JobRunner } from '../jobs/job-runner';
import { ModelRepository } from '../models/model-repository';
import { histogramAnswer } from '../visualize/histogram.view';
import { kernelAnswer } from '../visualize/kernel.view';
import { ModelGraphCache } from '../visualize/model-graph.cache';
import {
  featureMapJobOptions,
  featureMapParameters,
  histogramParameters,
  kernelParameters,
  predictionImageParameters,
} from '../visualize/view-parameters.schema';
import { respondWithJob, sendAnswer } from './job-responder';
import { parseParameters } from './parameter.parser';
import { booleanParameter } from './parameter.schemas';
import { readUpload } from './upload.reader';

const withAsync = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) =>
  schema.extend({ async: booleanParameter.default(false) });

const featureMapRequest = withAsync(featureMapParameters);
const predictionImageRequest = withAsync(predictionImageParameters);

/** After-training views: feature maps, kernels, weight histograms and the prediction image. */
@Controller('v1/models')
export class VisualizeController {
  private readonly graphs = new ModelGraphCache();

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
    this.models.get(name);
    const upload = await readUpload(request, 1);
    const p = parseParameters(featureMapRequest, request.query, upload.fields);
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
    const model = this.models.get(name);
    const p = parseParameters(kernelParameters, query);
    const answer = await kernelAnswer(this.graphs.get(model), {
      model: name,
      format: p.format,
      tile: p.tile,
      channelOrder: model.descriptor.input.channelOrder,
      ...(p.layer === undefined ? {} : { layer: p.layer }),
      ...(p.out_limit === undefined ? {} : { outLimit: p.out_limit }),
      ...(p.in_limit === undefined ? {} : { inLimit: p.in_limit }),
    });
    return sendAnswer(reply, answer);
  }

  @Get(':name/histograms')
  async histograms(
    @Param('name') name: string,
    @Query() query: unknown,
    @Res() reply: FastifyReply,
  ) {
    const model = this.models.get(name);
    const p = parseParameters(histogramParameters, query);
    const answer = await histogramAnswer(this.graphs.get(model), {
      model: name,
      layers: [...(p.layer ?? []), ...(p.layers ?? [])],
      bins: p.bins,
      batchNorm: p.batch_norm,
      format: p.format,
    });
    return sendAnswer(reply, answer);
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
