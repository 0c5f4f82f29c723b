import { LayerNotFoundError } from '../errors/layer-not-found.error';
import { ViewLimitExceededError } from '../errors/view-limit-exceeded.error';
import type { TargetableLayer } from '../onnx/targetable-layers';

/** Most layers one feature-map request may ask for. */
export const MAX_FEATURE_MAP_LAYERS = 8;

/**
 * The spatial layers a caller names (value or node name), in the order named,
 * duplicates dropped; `fallback` when none is named.
 * @throws LayerNotFoundError listing the spatial layers, ViewLimitExceededError
 */
export function resolveFeatureMapLayers(
  available: readonly TargetableLayer[],
  requested: readonly string[],
  fallback: string | undefined,
): TargetableLayer[] {
  const names =
    requested.length > 0 ? [...new Set(requested)] : fallback === undefined ? [] : [fallback];
  const valid = available.map((layer) => layer.value);
  if (names.length > MAX_FEATURE_MAP_LAYERS) {
    throw new ViewLimitExceededError(
      'layers',
      MAX_FEATURE_MAP_LAYERS,
      names.length,
      'layers per request',
    );
  }
  if (names.length === 0) {
    throw new LayerNotFoundError('(none given)', valid);
  }

  return names.map((name) => {
    const found = available.find(
      (layer) => layer.value === name || (layer.node !== '' && layer.node === name),
    );
    if (found === undefined) {
      throw new LayerNotFoundError(name, valid);
    }
    return found;
  });
}
