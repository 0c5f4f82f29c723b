import type { LoadedModel } from '../models/model-repository';
import { readModelFile } from '../onnx/model-file.reader';
import type { ModelProto } from '../onnx/onnx.types';

/** Decoded ONNX graphs of repository models (with external data resolved), read once per model file. */
export class ModelGraphCache {
  private readonly graphs = new Map<string, ModelProto>();

  get(model: LoadedModel): ModelProto {
    const key = `${model.name}\u0000${model.file}`;
    let graph = this.graphs.get(key);
    if (graph === undefined) {
      graph = readModelFile(model.file);
      this.graphs.set(key, graph);
    }
    return graph;
  }
}
