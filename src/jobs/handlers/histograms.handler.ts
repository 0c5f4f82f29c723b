import type { ModelRepository } from '../../models/model-repository';
import { histogramAnswer, type AnswerLimit } from '../../visualize/histogram.view';
import { ModelGraphCache } from '../../visualize/model-graph.cache';
import { histogramOptionsSchema, readJobOptions } from '../../visualize/view-options.schema';
import { MAX_ANSWER_BYTES_OPTION, type JobContext, type JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';

/** Histograms of each layer's weights and biases, from the model's initializers: no image, no inference. */
export class HistogramsHandler implements JobHandler {
  constructor(
    private readonly models: ModelRepository,
    private readonly graphs = new ModelGraphCache(),
  ) {}

  run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const options = readJobOptions(histogramOptionsSchema, data.options);
    const loaded = this.models.get(data.model);

    return histogramAnswer(this.graphs.get(loaded), {
      model: loaded.name,
      layers: options.layers,
      bins: options.bins,
      batchNorm: options.batch_norm,
      format: options.format,
      answerLimit: answerLimitOf(data, context),
    });
  }
}

/** The job's limit is GRPC_MAX_MESSAGE_BYTES when its request lowered it (job.executor's rule). */
function answerLimitOf(data: JobData, context: JobContext): AnswerLimit {
  const asked = data.options[MAX_ANSWER_BYTES_OPTION];
  return {
    bytes: context.maxAnswerBytes,
    setting: asked === context.maxAnswerBytes ? 'GRPC_MAX_MESSAGE_BYTES' : 'MAX_RESPONSE_BYTES',
  };
}
