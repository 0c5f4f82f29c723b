import * as ort from 'onnxruntime-node';

import { softmax, topK } from '../../explain/class-scores';
import { decodeUpload } from '../../imaging/image-decoder';
import { toModelInput } from '../../imaging/model-input';
import type { ModelRepository } from '../../models/model-repository';
import { renderPredictionCard } from '../../visualize/prediction.card';
import { predictionImageOptionsSchema, readJobOptions } from '../../visualize/view-options.schema';
import type { JobContext, JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';
import type { ImageLimits } from './predict.handler';

/** The upright input image with its top-k classes as probability bars, one PNG. */
export class PredictionImageHandler implements JobHandler {
  constructor(
    private readonly models: ModelRepository,
    private readonly limits: ImageLimits,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const { top_k: k } = readJobOptions(predictionImageOptionsSchema, data.options);
    const { descriptor, session } = this.models.get(data.model);
    const image = await decodeUpload(
      await context.image(data.imageKeys[0] ?? ''),
      this.limits,
      descriptor.input.background,
    );

    const input = await toModelInput([image], descriptor.input);
    const outputs = await session.run(
      { [descriptor.input.name]: new ort.Tensor('float32', input.tensor, input.dims) },
      [descriptor.output],
    );
    const scores = outputs[descriptor.output]?.data as Float32Array;
    const probabilities = descriptor.outputKind === 'logits' ? softmax(scores) : scores;
    const top = topK(probabilities, k).map(({ index, value }) => ({
      index,
      label: descriptor.labels[index] ?? String(index),
      probability: value,
    }));

    const subtitle = `${descriptor.name}: top ${top.length} of ${probabilities.length} classes${
      descriptor.outputKind === 'logits' ? ' (softmax of the logits)' : ''
    }`;
    const card = await renderPredictionCard({ image, top, subtitle });
    const best = top[0];
    return {
      type: 'binary',
      contentType: 'image/png',
      data: card.png,
      metadata: {
        class_index: best?.index ?? -1,
        class_label: best?.label ?? '',
        probability: best?.probability ?? 0,
        top_k: top.length,
      },
    };
  }
}
