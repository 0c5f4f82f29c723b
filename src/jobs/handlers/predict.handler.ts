import * as ort from 'onnxruntime-node';

import { forImage } from '../../errors/image-in-batch.error';
import { softmax, topK } from '../../explain/class-scores';
import { type BatchLimits, readBatchSizes } from '../../imaging/batch-pixels';
import { decodeUpload } from '../../imaging/image-decoder';
import { toModelInput } from '../../imaging/model-input';
import type { ModelRepository } from '../../models/model-repository';
import type { JobContext, JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';

export interface ImageLimits {
  readonly maxPixels: number;
}

/**
 * Top-k classes per image; softmax is applied when the model's output is
 * logits. Every header is checked before any image is decoded; the images are
 * then decoded and classified one at a time.
 */
export class PredictHandler implements JobHandler {
  constructor(
    private readonly models: ModelRepository,
    private readonly limits: BatchLimits,
  ) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const model = this.models.get(data.model);
    const { descriptor, session } = model;
    const k = typeof data.options.top_k === 'number' ? data.options.top_k : 5;
    const uploads = [];
    for (const key of data.imageKeys) {
      uploads.push(await context.image(key));
    }
    await readBatchSizes(uploads, this.limits);

    const results = [];
    for (const [index, upload] of uploads.entries()) {
      const decode = () => decodeUpload(upload, this.limits, descriptor.input.background);
      const image = await forImage(index, uploads.length, decode);
      const input = await toModelInput([image], descriptor.input);
      const feeds = {
        [descriptor.input.name]: new ort.Tensor('float32', input.tensor, input.dims),
      };
      const outputs = await session.run(feeds, [descriptor.output]);
      const scores = outputs[descriptor.output]?.data as Float32Array;
      const probabilities = descriptor.outputKind === 'logits' ? softmax(scores) : scores;

      results.push({
        width: image.width,
        height: image.height,
        top: topK(probabilities, k).map(({ index, value }) => ({
          index,
          label: descriptor.labels[index] ?? String(index),
          probability: value,
        })),
      });
    }

    return {
      type: 'json',
      body: {
        model: descriptor.name,
        outputKind: descriptor.outputKind,
        softmaxApplied: descriptor.outputKind === 'logits',
        predictions: results,
      },
    };
  }
}
