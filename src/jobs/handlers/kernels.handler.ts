import type { ModelRepository } from '../../models/model-repository';
import { kernelAnswer } from '../../visualize/kernel.view';
import { ModelGraphCache } from '../../visualize/model-graph.cache';
import { kernelOptionsSchema, readJobOptions } from '../../visualize/view-options.schema';
import type { JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';

/** A convolution's kernels, read from the model's initializers: no image, no inference. */
export class KernelsHandler implements JobHandler {
  constructor(
    private readonly models: ModelRepository,
    private readonly graphs = new ModelGraphCache(),
  ) {}

  run(data: JobData): Promise<JobAnswer> {
    const options = readJobOptions(kernelOptionsSchema, data.options);
    const loaded = this.models.get(data.model);

    return kernelAnswer(this.graphs.get(loaded), {
      model: loaded.name,
      format: options.format,
      tile: options.tile,
      channelOrder: loaded.descriptor.input.channelOrder,
      ...(options.layer === null ? {} : { layer: options.layer }),
      ...(options.out_limit === null ? {} : { outLimit: options.out_limit }),
      ...(options.in_limit === null ? {} : { inLimit: options.in_limit }),
    });
  }
}
