import { inputDims } from '../imaging/pixel-tensor';
import type { LoadedModel } from '../models/model-repository';
import { readModelFile } from '../onnx/model-file.reader';
import { probeValueFacts } from '../runtime/value-probe';
import { ExplainableModel } from './explainable-model';

/**
 * Decodes each repository model's graph and probes its value shapes once
 * (both cost far more than a run), keyed by the model's name and file.
 */
export class ExplainableModelLoader {
  private readonly models = new Map<string, Promise<ExplainableModel>>();

  load(model: LoadedModel): Promise<ExplainableModel> {
    const key = `${model.name}\u0000${model.file}`;
    let found = this.models.get(key);
    if (found === undefined) {
      found = this.build(model);
      found.catch(() => this.models.delete(key));
      this.models.set(key, found);
    }
    return found;
  }

  private async build(model: LoadedModel): Promise<ExplainableModel> {
    const { descriptor } = model;
    const proto = readModelFile(model.file);
    const dims = inputDims(descriptor.input, 1);
    const facts = await probeValueFacts(proto, { [descriptor.input.name]: dims });
    return new ExplainableModel(descriptor, proto, facts, descriptor.input.name, dims);
  }
}
