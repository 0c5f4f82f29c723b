import * as ort from 'onnxruntime-node';

import { ExplainableModelLoader } from '../../explain/explainable-model.loader';
import { colorize } from '../../imaging/colormap.apply';
import { decodeUpload } from '../../imaging/image-decoder';
import { toModelInput } from '../../imaging/model-input';
import type { ModelRepository } from '../../models/model-repository';
import type { SessionFactory } from '../../runtime/session-factory';
import { ExposedValuesRunner } from '../../visualize/exposed-values.runner';
import { featureMapAnswer, type LayerActivationTensor } from '../../visualize/feature-map.answer';
import { resolveFeatureMapLayers } from '../../visualize/feature-map.layers';
import { featureMapOptionsSchema, readJobOptions } from '../../visualize/view-options.schema';
import type { JobContext, JobHandler } from '../job-handler';
import type { JobAnswer, JobData } from '../job.types';
import type { ImageLimits } from './predict.handler';

/**
 * Feature maps: one forward pass with the asked layers exposed as outputs,
 * answered as a labelled PNG grid of channels or as the raw activations.
 */
export class FeatureMapsHandler implements JobHandler {
  private readonly loader = new ExplainableModelLoader();
  private readonly runner: ExposedValuesRunner;

  constructor(
    private readonly models: ModelRepository,
    private readonly limits: ImageLimits,
    sessions: SessionFactory,
  ) {
    this.runner = new ExposedValuesRunner(sessions);
  }

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    const options = readJobOptions(featureMapOptionsSchema, data.options);
    const loaded = this.models.get(data.model);
    const model = await this.loader.load(loaded);
    const layers = resolveFeatureMapLayers(
      model.layers,
      options.layers,
      model.defaultLayer(),
      loaded.descriptor.values,
      'layers',
    );

    const image = await decodeUpload(
      await context.image(data.imageKeys[0] ?? ''),
      this.limits,
      loaded.descriptor.input.background,
    );
    const input = await toModelInput([image], loaded.descriptor.input);
    await context.progress(0.3);

    const values = await this.runner.run(
      {
        key: `${loaded.name}\u0000${loaded.file}`,
        proto: model.proto,
        facts: model.facts,
        inputName: model.inputName,
      },
      layers.map((layer) => layer.value),
      new ort.Tensor('float32', input.tensor, input.dims),
    );
    await context.progress(0.7);

    const activations: LayerActivationTensor[] = layers.map((layer) => {
      const tensor = values.get(layer.value) as ort.Tensor;
      return {
        value: layer.value,
        node: layer.node,
        dims: tensor.dims.map(Number),
        data: tensor.data as Float32Array,
      };
    });
    return featureMapAnswer(
      {
        model: loaded.name,
        format: options.format,
        order: options.order,
        ...(options.limit === null ? {} : { limit: options.limit }),
        colormap: (v) => colorize(v, options.colormap),
        colormapName: options.colormap,
        minTileSize: options.tile,
        ...(options.columns === null ? {} : { columns: options.columns }),
      },
      activations,
    );
  }
}
