import { minMaxNormalize, relu } from '../imaging/map-normalize';
import type { SpatialMap } from './layer-tensors';

/**
 * ReLU then min-max to [0, 1], as docs/methods.md fixes for every map; a
 * constant (or all-negative) map becomes zeros, never NaN.
 */
export function reluMinMax(map: SpatialMap): SpatialMap {
  return { height: map.height, width: map.width, data: minMaxNormalize(relu(map.data)) };
}
