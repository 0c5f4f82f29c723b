import { LayerNotSpatialError } from '../errors/layer-not-spatial.error';
import { NoSpatialLayerError } from '../errors/no-spatial-layer.error';
import { resolveLayer } from '../onnx/targetable-layers';
import type { ExplainableModel } from './explainable-model';

/**
 * The layer value a CAM method explains: the caller's value or node name, or
 * the model's default; it must be a spatial map.
 * @throws LayerNotFoundError (listing the valid layers), LayerNotSpatialError, NoSpatialLayerError
 */
export function resolveTargetLayer(
  model: ExplainableModel,
  requested: string | undefined,
  method: string,
): string {
  const valid = model.layers.map((layer) => layer.value);
  const name = requested ?? model.defaultLayer();
  if (name === undefined) {
    throw new NoSpatialLayerError(model.name, method);
  }

  const value = resolveLayer(model.proto, model.facts, name);
  if (!valid.includes(value)) {
    throw new LayerNotSpatialError(name, model.facts.get(value)?.shape, valid);
  }
  return value;
}
