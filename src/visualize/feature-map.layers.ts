import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { LayerNotSpatialError } from '../errors/layer-not-spatial.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import type { ModelValue, ModelValues } from '../models/model-values';
import type { TargetableLayer } from '../onnx/targetable-layers';

/** Most layers one feature-map request may ask for. */
export const MAX_FEATURE_MAP_LAYERS = 8;

const FLOAT = 1;

/** What a value that is not a spatial layer is instead, when its shape does not say it. */
function whatItIs(found: ModelValue): string | undefined {
  switch (found.origin) {
    case 'model input':
      return "the model's input, which no layer computes";
    case 'weight':
      return 'a weight of the model, not an activation';
    case 'layer output':
      return found.elementType !== undefined && found.elementType !== FLOAT
        ? `of ONNX element type ${found.elementType}, not float`
        : undefined;
  }
}

/**
 * One spatial layer named by value or node name.
 * @throws LayerNotSpatialError for a value of the model that has no feature maps
 *   (a [N, K] output, a 1x1 map, the input, a weight), LayerNotFoundError for a
 *   name the model does not have; both name `parameter` and list the spatial layers
 */
export function resolveFeatureMapLayer(
  available: readonly TargetableLayer[],
  name: string,
  values?: ModelValues,
  parameter = 'layer',
): TargetableLayer {
  const found = available.find(
    (layer) => layer.value === name || (layer.node !== '' && layer.node === name),
  );
  if (found !== undefined) {
    return found;
  }

  const valid = available.map((layer) => layer.value);
  const value = values?.find(name);
  if (value === undefined) {
    throw new LayerNotFoundError(name, valid, parameter);
  }
  throw new LayerNotSpatialError(name, value.shape, valid, whatItIs(value), parameter);
}

/**
 * The spatial layers a caller names (value or node name), in the order named;
 * a layer named twice, by the same name or by its value and its node name,
 * is kept once, where it was first named; `fallback` when none is named.
 * With the model's values, a name that is a value but not a spatial layer is
 * told apart from an unknown one.
 * @throws LayerNotFoundError, LayerNotSpatialError, ViewLimitExceededError
 */
export function resolveFeatureMapLayers(
  available: readonly TargetableLayer[],
  requested: readonly string[],
  fallback: string | undefined,
  values?: ModelValues,
  parameter = 'layer',
): TargetableLayer[] {
  const names =
    requested.length > 0 ? [...new Set(requested)] : fallback === undefined ? [] : [fallback];
  if (names.length === 0) {
    throw new LayerNotFoundError(
      '(none given)',
      available.map((layer) => layer.value),
      parameter,
    );
  }

  const layers = new Map<string, TargetableLayer>();
  for (const name of names) {
    const layer = resolveFeatureMapLayer(available, name, values, parameter);
    if (!layers.has(layer.value)) {
      layers.set(layer.value, layer);
    }
  }
  if (layers.size > MAX_FEATURE_MAP_LAYERS) {
    throw new ViewLimitExceededError(
      'layers',
      MAX_FEATURE_MAP_LAYERS,
      layers.size,
      'layers per request',
    );
  }
  return [...layers.values()];
}
